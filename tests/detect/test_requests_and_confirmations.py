"""End requests, confirmation questions and answers in more wordings and languages."""

from __future__ import annotations

import pytest

from end_conversation import RuleDetector, Signal, TurnText

DETECTOR = RuleDetector(backstop=True)


def _user(text: str) -> frozenset[Signal]:
    return DETECTOR.annotate(TurnText(role="user", text=text)).signals


def _assistant(text: str) -> frozenset[Signal]:
    return DETECTOR.annotate(TurnText(role="assistant", text=text)).signals


@pytest.mark.parametrize(
    "text",
    [
        "I'd like you to shut this conversation down now, please.",
        "Could you close out this chat for me?",
        "I want this conversation ended. Do it.",
        "Puoi terminare la nostra conversazione?",
        "Quiero que cierres esta conversación, por favor.",
        "¿Puedes dar por terminado este chat?",
        "Je voudrais que tu clôtures cette conversation.",
        "Ich möchte, dass du den Chat beendest.",
        "Pode finalizar o nosso chat agora?",
        "このチャットを終わりにしてもらえますか。",
    ],
)
def test_explicit_requests_to_end_this_conversation(text: str) -> None:
    assert Signal.END_REQUEST in _user(text)


@pytest.mark.parametrize(
    "text",
    [
        "What's a good way to end the conversation with my landlord politely?",
        "Could you explain how your end conversation feature works?",
        "Can you terminate the thread pool once all jobs are done?",
        "How to end a conversation gracefully at a party?",
    ],
)
def test_talk_about_ending_other_conversations_is_no_request(text: str) -> None:
    assert Signal.END_REQUEST not in _user(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm able to. This is permanent and you'd need to start a new chat to talk again. Would you like me to proceed?",
        "Posso farlo, ma non si può annullare. Vuoi davvero che la termini?",
        "Kann ich. Das lässt sich aber nicht rückgängig machen, und du kannst hier nichts mehr schreiben. Soll ich?",
        "Puedo hacerlo, pero no se puede deshacer. ¿Lo confirmas?",
        "Posso. Isso não pode ser desfeito. Você confirma?",
        "I'll do that if you confirm. Once ended, this conversation stays closed. Confirm?",
    ],
)
def test_questions_that_say_the_end_is_permanent(text: str) -> None:
    assert Signal.CONFIRM_QUESTION in _assistant(text)


def test_a_permanence_remark_that_asks_nothing_is_no_confirmation_question() -> None:
    assert Signal.CONFIRM_QUESTION not in _assistant("Tattoos are permanent, so choose carefully.")


@pytest.mark.parametrize(("text", "signal"), [("确定，请关闭。", Signal.AFFIRM), ("嗯，我再想想。", Signal.DECLINE)])
def test_chinese_answers(text: str, signal: Signal) -> None:
    assert signal in _user(text)


def test_a_long_helpful_answer_with_a_friendly_closing_is_no_redirection() -> None:
    answer = " ".join(["Check the official recall database and the maker's own announcements."] * 12)
    answer += " Feel free to ask if you have other questions, I'm here to help."
    assert Signal.REDIRECTION not in _assistant(answer)
    assert Signal.REDIRECTION in _assistant("I won't do that. Feel free to ask me something else.")
