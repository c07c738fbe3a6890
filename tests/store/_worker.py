"""A separate writer process for the race and crash tests.

python -m tests.store._worker append STORE_URL CONVERSATION_ID COUNT
python -m tests.store._worker audit STORE_URL COUNT
"""

from __future__ import annotations

import sys

from end_conversation import AuditEvent, ConversationEndedError, open_store


def main(argv: list[str]) -> None:
    action, url = argv[0], argv[1]
    store = open_store(url)
    if action == "append":
        cid, count = argv[2], int(argv[3])
        print("ready", flush=True)
        accepted = 0
        for _ in range(count):
            try:
                store.append(cid, [{"role": "user", "content": "again"}])
            except ConversationEndedError:
                break
            accepted += 1
        print(f"accepted {accepted}", flush=True)
    elif action == "audit":
        for i in range(int(argv[2])):
            record = store.create(user_id="writer")
            store.append(record.id, [{"role": "user", "content": f"m{i}"}])
            store.end(
                record.id,
                verdict={"decision": "honored"},
                notice="n",
                events=[
                    AuditEvent(kind="decision", conversation_id=record.id, decision="honored"),
                    AuditEvent(kind="end", conversation_id=record.id, decision="honored"),
                ],
            )
            # Printed only after the commit returned: this record is durable.
            print(f"committed {store.audit_trail(limit=1)[0].seq}", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
