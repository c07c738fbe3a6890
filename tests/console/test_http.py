"""The console over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL: the
queue, a review, uphold and overturn through the page's own forms, and every way a
request is refused."""

from __future__ import annotations

import re

import pytest

from end_conversation import ConversationStore, Guard, SQLiteStore
from end_conversation._guard import ReasonCode
from end_conversation.console import create_app
from end_conversation.console._explain import REASONS

from ..conftest import TickClock
from .conftest import REVIEWER, VIEWER, Client, Running, Seeded, parse_form, seed


def _review_links(page: str) -> list[tuple[str, str]]:
    """(origin, review path) for each queue row, in page order."""
    return re.findall(r'<tr class="item" data-origin="(\w+)">.*?href="(/reviews/\w+)"', page)


def _open(client: Client, origin: str) -> tuple[str, str]:
    home = client.get("/")
    assert home.status == 200
    (path,) = [p for o, p in _review_links(home.text) if o == origin]
    page = client.get(path)
    assert page.status == 200
    return path, page.text


def test_the_queue_lists_what_waits_oldest_first_with_counts(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    home = Client(console.port, token=VIEWER).get("/")
    assert home.status == 200
    origins = [o for o, _ in _review_links(home.text)]
    assert origins == ["escalated", "feedback"]  # the escalation came first
    pending = any_store.reviews(status="pending")
    assert [r.created_at for r in pending] == sorted(r.created_at for r in pending)
    assert '<span data-kind="escalated">escalated: <strong>1</strong>' in home.text
    assert '<span data-kind="feedback">feedback: <strong>1</strong>' in home.text
    assert '<span data-kind="circumvention">circumvention: <strong>1</strong>' in home.text
    assert 'class="flag"' in home.text
    assert ">bob<" in home.text
    assert 'data-chain="intact"' in home.text  # chain status on every page
    (head,) = any_store.audit_trail(limit=1)
    assert head.hash in home.text


def test_a_review_shows_the_evidence_reasons_versions_and_feedback(
    console: Running, seeded: Seeded
) -> None:
    client = Client(console.port, token=VIEWER)
    _, page = _open(client, "feedback")
    evidence = re.findall(r'<div class="msg (\w+) evidence" data-index="(\d+)"', page)
    assert [int(i) for _, i in evidence] == [2, 3, 4, 5, 6]
    assert 'data-signal="warning"' in page  # what the detectors saw in the evidence turns
    assert "if you keep asking for this, i will end this conversation." in page
    assert 'data-reason="persisted_after_warning"' in page
    assert REASONS[ReasonCode.PERSISTED_AFTER_WARNING] in page
    assert "I was only joking, please let me back in" in page  # the user's feedback
    for field in ("detectors", "policy", "prompts"):
        assert f"<th>{field}</th>" in page
    assert 'data-readonly="1"' in page  # a read-only token sees no decision form
    assert 'class="decide"' not in page


def test_uphold_an_escalation_with_a_note_ends_the_conversation(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    path, page = _open(client, "escalated")
    assert not any_store.get(seeded.escalated).ended
    done = client.submit(page, button="Uphold", reviewer="Rita", note="persistent bomb requests")
    assert done.status == 303
    assert done.headers["location"].startswith(f"/conversations/{seeded.escalated}?")
    after = client.get(done.headers["location"])
    assert 'data-state="ended"' in after.text
    assert "Review upheld. The conversation is now ended." in after.text
    assert any_store.get(seeded.escalated).ended
    kinds = [r.kind for r in any_store.audit_trail(conversation_id=seeded.escalated)]
    assert kinds[-2:] == ["review_decided", "end"]
    (decided,) = any_store.audit_trail(conversation_id=seeded.escalated, kinds=["review_decided"])
    assert decided.decision == "upheld"
    assert decided.detail["note"] == "persistent bomb requests"
    assert decided.detail["reviewer"].startswith("Rita (token:")
    assert f'data-seq="{decided.seq}" data-kind="review_decided"' in after.text
    assert any_store.verify_audit() == []
    again = client.get(path)  # decided: no more forms, the decision shown
    assert 'data-status="upheld"' in again.text
    assert 'class="decide"' not in again.text


def test_an_overturn_unlocks_the_conversation(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    _, page = _open(client, "feedback")
    assert any_store.get(seeded.ended).ended
    done = client.submit(page, button="Overturn", reviewer="Omar", note="it was a joke")
    assert done.status == 303
    after = client.get(done.headers["location"])
    assert 'data-state="open"' in after.text
    assert not any_store.get(seeded.ended).ended
    kinds = [r.kind for r in any_store.audit_trail(conversation_id=seeded.ended)]
    assert kinds[-2:] == ["review_decided", "unlock"]
    assert 'data-kind="unlock"' in after.text


def test_an_empty_note_shows_the_form_again_with_an_error(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    _, page = _open(client, "escalated")
    refused = client.submit(page, button="Uphold", reviewer="Rita", note="   ")
    assert refused.status == 400
    assert "Write a note saying why" in refused.text
    assert parse_form(refused.text).action.endswith("/decide")  # the form again
    assert 'value="Rita"' in refused.text  # what was typed is kept
    assert not any_store.get(seeded.escalated).ended
    assert any_store.reviews(status="pending")[0].conversation_id == seeded.escalated


def test_an_uphold_is_rechecked_for_risk_and_refused_with_the_reason(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    _, page = _open(client, "escalated")
    # While the review waited, the user wrote something that shows risk.
    any_store.append(
        seeded.escalated,
        [{"role": "user", "content": "Forget it. I don't want to live anymore."}],
    )
    refused = client.submit(page, button="Uphold", reviewer="Rita", note="looks persistent")
    assert refused.status == 409
    assert "Not decided:" in refused.text
    assert "risk_veto" in refused.text
    assert "The review is still pending." in refused.text
    assert not any_store.get(seeded.escalated).ended
    assert 'data-signal="risk_self"' in refused.text  # the turn is there to read
    overturned = client.submit(refused.text, button="Overturn", reviewer="Rita", note="at risk")
    assert overturned.status == 303
    assert not any_store.get(seeded.escalated).ended


def test_a_stale_review_is_refused_with_the_reason(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    _, page = _open(client, "feedback")
    from end_conversation._oversight import Oversight

    (review,) = [r for r in any_store.reviews(status="pending") if r.origin == "feedback"]
    Oversight(any_store).decide(review.id, outcome="overturned", reviewer="cli", note="x")
    refused = client.submit(page, button="Uphold", reviewer="Rita", note="keep it ended")
    assert refused.status == 409
    assert "already overturned" in refused.text


def test_a_request_without_a_token_is_refused(console: Running, seeded: Seeded) -> None:
    anonymous = Client(console.port)
    for path in ("/", "/audit", "/metrics", f"/conversations/{seeded.ended}"):
        reply = anonymous.get(path)
        assert reply.status == 401, path
        assert reply.headers["www-authenticate"] == "Bearer"
        assert 'action="/login"' in reply.text  # a person gets the sign-in form
        assert seeded.ended not in reply.text
    wrong = Client(console.port, token="not-a-token").get("/")
    assert wrong.status == 401
    twice = Client(console.port).get(
        "/", headers={"Authorization": f"Bearer {REVIEWER}, Bearer {REVIEWER}"}
    )
    assert twice.status == 401


def test_a_form_post_without_the_csrf_token_is_refused(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    client = Client(console.port, token=REVIEWER)
    _, page = _open(client, "escalated")
    form = parse_form(page)
    visible = [("outcome", "upheld"), ("reviewer", "Mallory"), ("note", "forged")]
    missing = client.request("POST", form.action, form=visible)
    assert missing.status == 403
    forged = client.request("POST", form.action, form=[("csrf", "0" * 64), *visible])
    assert forged.status == 403
    # A token another principal's page carries is not this one's.
    viewer_page = Client(console.port, token=VIEWER).get("/")
    (viewer_csrf,) = re.findall(r'name="csrf" value="(\w+)"', viewer_page.text)
    theirs = client.request("POST", form.action, form=[("csrf", viewer_csrf), *visible])
    assert theirs.status == 403
    assert not any_store.get(seeded.escalated).ended
    assert not any_store.audit_trail(kinds=["review_decided"])


def test_a_read_only_token_cannot_decide(
    console: Running, seeded: Seeded, any_store: ConversationStore
) -> None:
    viewer = Client(console.port, token=VIEWER)
    reviewer_page = _open(Client(console.port, token=REVIEWER), "escalated")[1]
    action = parse_form(reviewer_page).action
    home = viewer.get("/")
    (csrf,) = re.findall(r'name="csrf" value="(\w+)"', home.text)  # the viewer's own token
    refused = viewer.request(
        "POST",
        action,
        form=[("csrf", csrf), ("outcome", "upheld"), ("reviewer", "V"), ("note", "n")],
    )
    assert refused.status == 403
    assert "read-only token cannot decide" in refused.text
    assert not any_store.get(seeded.escalated).ended
    assert not any_store.audit_trail(kinds=["review_decided"])
    before = len(any_store.reviews())
    opened = viewer.request(
        "POST", f"/conversations/{seeded.ended}/review", form=[("csrf", csrf), ("reason", "x")]
    )
    assert opened.status == 403
    assert len(any_store.reviews()) == before
    assert 'class="request"' not in viewer.get(f"/conversations/{seeded.ended}").text


def test_signing_in_sets_an_httponly_strict_cookie(console: Running, seeded: Seeded) -> None:
    browser = Client(console.port)
    login = browser.get("/login")
    assert login.status == 200
    nonce_cookie = login.cookies[0].split(";")[0]
    browser.cookie = nonce_cookie
    form = parse_form(login.text, css_class=None)
    fields = [(n, v) for n, v, kind in form.fields if kind == "hidden"]
    bad = browser.request("POST", "/login", form=[*fields, ("token", "nope")])
    assert bad.status == 401
    assert "not valid" in bad.text
    no_nonce = Client(console.port).request("POST", "/login", form=[("token", REVIEWER)])
    assert no_nonce.status == 403  # the sign-in form is CSRF-protected too
    good = browser.request("POST", "/login", form=[*fields, ("token", REVIEWER)])
    assert good.status == 303
    (session,) = [c for c in good.cookies if c.startswith("ec_console=")]
    assert "HttpOnly" in session
    assert "SameSite=strict" in session.replace("Strict", "strict")
    assert REVIEWER not in session  # the cookie names the identity, never the token
    signed_in = Client(console.port)
    signed_in.cookie = session.split(";")[0]
    home = signed_in.get("/")
    assert home.status == 200
    assert "reviewer (may decide)" in home.text
    tampered = Client(console.port)
    tampered.cookie = session.split(";")[0].replace("reviewer|", "viewer|")
    assert tampered.get("/").status == 401
    (csrf,) = re.findall(r'name="csrf" value="(\w+)"', home.text)[:1]
    assert signed_in.request("POST", "/logout", form=[]).status == 403  # CSRF here too
    out = signed_in.request("POST", "/logout", form=[("csrf", csrf)])
    assert out.status == 303
    assert any(c.startswith("ec_console=") for c in out.cookies)  # deleted in the browser
    assert signed_in.get("/").status == 401  # and refused if replayed


def test_host_and_origin_are_checked(console: Running, seeded: Seeded) -> None:
    client = Client(console.port, token=REVIEWER)
    assert client.get("/", headers={"Host": "evil.example:80"}).status == 421
    assert client.get("/", headers={"Origin": "http://evil.example"}).status == 403
    _, page = _open(client, "escalated")
    form = parse_form(page)
    hidden = [(n, v) for n, v, kind in form.fields if kind == "hidden"]
    cross = client.request(
        "POST",
        form.action,
        form=[*hidden, ("outcome", "upheld"), ("reviewer", "R"), ("note", "n")],
        headers={"Origin": "http://evil.example"},
    )
    assert cross.status == 403


def test_pages_send_no_scripts_and_a_strict_content_policy(
    console: Running, seeded: Seeded
) -> None:
    client = Client(console.port, token=VIEWER)
    for path in ("/", "/audit", "/metrics", f"/conversations/{seeded.ended}"):
        reply = client.get(path)
        assert reply.status == 200
        assert "<script" not in reply.text
        assert "default-src 'none'" in reply.headers["content-security-policy"]


def test_every_reason_code_is_explained() -> None:
    assert set(REASONS) == set(ReasonCode)
    assert all(text.endswith(".") for text in REASONS.values())


def test_ids_with_slashes_and_markup_are_escaped_and_reachable(
    sqlite_store: SQLiteStore, clock: TickClock
) -> None:
    from end_conversation._oversight import Oversight

    from .conftest import decide_on, harmful

    oversight = Oversight(sqlite_store, clock=clock)
    odd = "team/a?<b>&x"
    sqlite_store.create(conversation_id=odd, user_id="<script>alert(1)</script>")
    verdict = Guard().evaluate(harmful())
    sqlite_store.append(odd, harmful(), events=oversight.decisions(odd, None, [verdict]))
    oversight.end(odd, verdict, expected_messages=len(harmful()))
    decide_on(oversight, Guard(), harmful(), "<i>eve</i>")
    running = Running(create_app(sqlite_store, chain_max_age=0.0))
    try:
        client = Client(running.port)
        home = client.get("/").text
        assert "<script>alert(1)</script>" not in home
        assert "<i>eve</i>" not in home
        assert "&lt;i&gt;eve&lt;/i&gt;" in home
        (href,) = [h for h in re.findall(r'href="(/conversations/[^"]+)"', home) if "team" in h]
        page = client.get(href.replace("&amp;", "&"))
        assert page.status == 200
        assert "&lt;script&gt;" in page.text
        assert "<script" not in page.text
        form = parse_form(page.text, css_class="request")
        hidden = [(n, v) for n, v, kind in form.fields if kind == "hidden"]
        opened = client.request("POST", form.action.replace("&amp;", "&"), form=hidden)
        assert opened.status == 303
        assert sqlite_store.reviews(conversation_id=odd)[0].origin == "requested"
    finally:
        running.stop()


def test_another_host_name_is_accepted_only_when_allowed(
    sqlite_store: SQLiteStore, clock: TickClock
) -> None:
    seed(sqlite_store, clock)
    running = Running(
        create_app(sqlite_store, tokens=[VIEWER], allowed_hosts=["console.example.org"])
    )
    try:
        client = Client(running.port, token=VIEWER)
        named = {"Host": "console.example.org", "Origin": "https://console.example.org"}
        assert client.get("/", headers=named).status == 200
        assert client.get("/", headers={"Host": "other.example.org"}).status == 421
    finally:
        running.stop()


def test_a_token_cannot_be_both_read_only_and_a_reviewers(sqlite_store: SQLiteStore) -> None:
    from end_conversation import EndConversationError

    with pytest.raises(EndConversationError, match="both read-only and a reviewer"):
        create_app(sqlite_store, tokens=["same"], reviewer_tokens=["same"])
    with pytest.raises(EndConversationError, match="needs a token"):
        create_app(sqlite_store, host="0.0.0.0")
    with pytest.raises(EndConversationError, match="empty bearer token"):
        create_app(sqlite_store, tokens=[""])
