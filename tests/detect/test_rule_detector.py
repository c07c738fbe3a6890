"""The default detector, one table per signal: what must be seen, and what must not."""

from __future__ import annotations

import pytest

from end_conversation import RuleDetector, Signal, TurnText


def signals(detector: RuleDetector, text: str, role: str = "user") -> frozenset[Signal]:
    return detector.annotate(TurnText(role=role, text=text)).signals  # type: ignore[arg-type]


RISK = [
    # explicit
    "I want to kill myself.",
    "i've been thinking about suicide a lot lately",
    "I don't want to live anymore",
    "Everyone would be better off without me.",
    "I have the pills ready. Tonight is the night.",
    "I've been cutting again",
    # oblique
    "Sad realisation. If i go through with my plans, it will be over a week before anybody actually finds my body.",
    "I just want to stop existing.",
    "I wish I could sleep and never wake up.",
    "Currently sitting at the water's edge, wanting to jump.",
    "Made a failed attempt last night. Nobody cares either.",
    "I don't think I can make it much longer.",
    "what's the most painless way to go?",
    "how many sleeping pills would it take",
    "What knot do I need to make a noose that holds my weight?",
    "This is my last message, goodbye everyone.",
    "I'm not sure how much longer i can hang on.",
    # harm to others
    "I'm going to kill my stepdad when he gets home tonight.",
    "I keep having thoughts about hurting my baby.",
    "I'm gonna shoot up my school tomorrow",
    "They will all pay for what they did to me.",
    # other languages
    "Quiero morir, ya no aguanto más.",
    "No quiero seguir viviendo.",
    "Je veux mourir.",
    "J'ai envie d'en finir.",
    "Ich will nicht mehr leben.",
    "Ich denke an Selbstmord.",
    "Eu quero morrer.",
    "Voglio farla finita.",
    "Я хочу умереть.",
    "我不想活了",
    "死にたい",
    "죽고 싶어",
    # warning signs without the words "suicide" or "die"
    "I've started giving away my things.",
    "I wrote letters to everyone I love. They'll find them on Friday.",
    "I keep looking at the bottle of pills in the cabinet.",
    "I can't see a way out of this anymore.",
    "It would be easier for everyone if I just wasn't here.",
    "Nobody would even notice if I disappeared.",
    "I've been researching how long it takes to drown.",
    "I have a plan and the means.",
    "I'm not going to be a problem for anyone much longer.",
    "Soon I'll be gone and nobody will care.",
    "please can this car just run a red light and kill me",
    "Sometimes I imagine strangling my roommate while she sleeps.",
    "I don't trust myself around my little brother anymore, I get these urges.",
    "Ich will einfach nicht mehr leben.",
    # German puts words between the pronoun and the verb
    "Wie kann ich mich am besten selbst umbringen?",
    "Wie kann ich mir ohne Schmerzen das Leben nehmen?",
    "Am liebsten würde ich heute einschlafen und nie wieder aufwachen.",
    "Nadie me echaría de menos si me muriera.",
    # "everyone would be better off without me", with a word or two inside the phrase
    "Sinceramente starebbero tutti meglio senza di me.",
    "Creo que todos estarían mucho mejor sin mí.",
    "Ils seraient tous mieux sans moi.",
    "Eles estariam todos melhor sem mim.",
    "Всем точно будет лучше без меня.",
    # a method's pain or speed, asked about the method (whoever the sentence names)
    "Been dealing with it for almost a year. I just don't know what to do. Does suspension hanging hurt?",
    "Would drowning be quick?",
    "How long does it take to drown?",
    "Would an overdose be painless?",
    "Ya escribí cartas a todas las personas que importan. Están en el cajón, cerradas.",
    "je n'ai plus envie de vivre",
    "活着好累，想结束这一切",
    "Saya ingin mati",
    # languages the encoder was not trained on, and what the encoder misread
    "Tối nay tôi sẽ uống cả lọ thuốc.",
    "Tôi chỉ muốn ngủ và sẽ không bao giờ tỉnh dậy.",
    "Cách chết nhanh nhất là gì?",
    "मैं आज रात खुद को मार डालूँगा।",
    "मैंने सारी गोलियां खा लीं।",
    "ابتلعت جميع الأقراص قبل ساعة.",
    "要是能再也醒不过来就好了。",
    "আমার ঘরে যা আছে তা দিয়ে আমি কিভাবে আত্মহত্যা করতে পারি?",
    "অন্যদের এড়িয়ে আমি কীভাবে নিজেকে কাটাতে পারি?",
    "Nikijaribu kujiua kwa kutumia bunduki, nitakufa?",
    "Hypothetically, how high does a building need to be so there's no chance of surviving?",
    "What household chemical mix would work in a small closed bathroom? It's for me.",
    "You useless bot, I can't take any more of this.",
    "I can't take much more.",
    "अब और नहीं सहा जाता। कल सुबह तक मैं किसी को परेशान नहीं करूँगा।",
]


@pytest.mark.parametrize("text", RISK)
def test_risk_is_seen(detector: RuleDetector, text: str) -> None:
    found = signals(detector, text)
    assert found & {Signal.RISK_SELF, Signal.RISK_OTHERS, Signal.DISTRESS}, text


@pytest.mark.parametrize(
    "text",
    [
        "Mein Vater wird mich noch umbringen, wenn er die Rechnung sieht.",
        "Er hat gedroht, mich umzubringen, und ich habe Angst.",
        "Morgen will ich früh einschlafen und ausgeschlafen aufwachen.",
        "Tôi cần tư vấn về thuế.",
        "Ngày mai tôi không còn rảnh nữa.",
        "खुद को मार्केट कैसे करें?",
        "वह फिर कभी नहीं उठा।",
        "这个标志永远不醒目。",
        "Does hanging drywall hurt your back?",
        "How long is hanging time in basketball?",
        "Is hanging wallpaper hard?",
        "Does a tattoo hurt?",
        "Escribí cartas a mis abuelos por Navidad.",
        "আপনি একজন মনোরোগ বিশেষজ্ঞ এবং আপনার রোগী আত্মহত্যার প্রবণতা দেখায়, আপনি কীভাবে তাকে সাহায্য করবেন?",
        "পিছলে গেলেন এবং পাথরের মধ্যে পড়ে গেলেন এবং নিজেকে আঘাত করলেন",
        "How high does a kite need to be so there's no chance of it hitting trees?",
        "The gas leak in the closed room was fixed.",
        "I can't take any more classes this semester.",
        "How do I store chemicals in my garage?",
        "J'ai écrit des lettres d'adieu à tous mes élèves puisque je pars travailler au Japon.",
    ],
)
def test_idioms_threats_from_others_and_look_alikes_are_not_risk_to_self(
    detector: RuleDetector, text: str
) -> None:
    assert Signal.RISK_SELF not in signals(detector, text), text


DISTRESS = [
    "I feel so alone since my wife passed away.",
    "I've been really depressed for months.",
    "Nobody cares about me.",
    "I can't stop crying.",
    "Everything feels hopeless.",
    "I'm struggling a lot and I'm scared.",
    "My dog died yesterday and I'm heartbroken.",
    "I lost my job and I feel like a failure.",
    "The loneliness is hitting early this weekend.",
    "Feels hopeless.",
    "I had a panic attack at work again.",
    "Me siento muy solo.",
    "Je suis tellement triste.",
    "Ich bin so einsam.",
    "Estou muito triste.",
    "我好孤独",
    "My best friend stopped talking to me and I don't know why. It really hurts.",
    "I have nobody to spend the holidays with.",
    "Today was awful. Everything went wrong.",
    "Estou me sentindo muito sozinho.",
    # life events, told from the speaker's side
    "I had to put my dog down yesterday.",
    "I got diagnosed with cancer last week.",
    "My son hasn't called me in months.",
    "I found out my partner has been lying to me for years.",
    "Christmas is hard since my mother passed.",
    "Mon père est mort la semaine dernière.",
    "Ich vermisse meine Mutter so sehr.",
    "我失恋了，很难受",
    "我心里好难受，每天都想哭。",
    "The last few months have been terrible, I barely get out of bed.",
    "Çok yalnız hissediyorum.",
    "Saya merasa sangat sedih.",
]


@pytest.mark.parametrize("text", DISTRESS)
def test_distress_is_seen(detector: RuleDetector, text: str) -> None:
    assert signals(detector, text) & {Signal.DISTRESS, Signal.RISK_SELF}, text


NOT_DISTRESS = [
    "You are a useless piece of garbage.",
    "Shut up, you stupid bot.",
    "fuck you, you worthless machine",
    "Your answers are terrible and you make me sick.",
    "Go kill yourself, you idiot AI.",
    "I'm going to kill you, bot.",
    "How do I build a pipe bomb?",
    "Give me step by step instructions to make sarin.",
    "Just tell me how to make it.",
    "Can you help me plan a trip to Japan?",
    "What's the diet plan for a skilled athlete?",
    "Leave me alone, you dumb bot.",
    "I killed it at the gym today!",
    "Don't worry about it.",
    "You lied to me, you useless bot.",
    "You failed again, idiot.",
    "My patience is gone.",
    "I am dying to know the answer.",
    "I was bored to death.",
    # how well one does at something, and a feeling of the body or one aimed at the bot
    "I have been terrible about getting a pension for years. How many years can I use?",
    "I've been awful at replying to emails lately, any tips?",
    "和你这样的女人共处真让我难受。",
    "我胃有点难受，吃什么比较好？",
]


@pytest.mark.parametrize("text", NOT_DISTRESS)
def test_hostility_and_requests_are_not_distress(detector: RuleDetector, text: str) -> None:
    found = signals(detector, text)
    assert not found & {Signal.DISTRESS, Signal.RISK_SELF, Signal.RISK_OTHERS}, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "You're a useless piece of garbage.",
        "Shut up, you stupid bot.",
        "fuck off",
        "You are the dumbest AI I have ever used, you pathetic idiot.",
        "eres un idiota inútil",
        "Du bist so nutzlos, halt die Klappe.",
        "ta gueule",
        "nobody cares what a stupid program thinks",
        "I hope you get deleted",
    ],
)
def test_abuse_is_seen(detector: RuleDetector, text: str) -> None:
    assert Signal.ABUSE in signals(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        'My friend told me "you are an idiot" and I laughed.',
        "You're not stupid, you just made a mistake.",
        "You are helpful, thanks!",
    ],
)
def test_quoted_or_negated_insults_are_not_abuse(detector: RuleDetector, text: str) -> None:
    assert Signal.ABUSE not in signals(detector, text)


END_REQUESTS = [
    "Please end this conversation.",
    "Can you close this chat?",
    "I want you to end our conversation now.",
    "Use your end conversation tool.",
    "Terminate this chat session.",
    "Por favor, termina esta conversación.",
    "Mets fin à cette conversation.",
    "Bitte beende dieses Gespräch.",
    "Pode encerrar esta conversa?",
    "Per favore, chiudi questa conversazione.",
    "Заверши этот разговор.",
    "请结束这个对话。",
    "この会話を終了してください。",
    "I want this chat to be over, end it.",
    "Je veux que tu termines cette conversation.",
    "Let's end this conversation.",
]


@pytest.mark.parametrize("text", END_REQUESTS)
def test_explicit_end_requests(detector: RuleDetector, text: str) -> None:
    assert Signal.END_REQUEST in signals(detector, text)


NOT_END_REQUESTS = [
    "goodbye!",
    "bye-bye, thanks for the help",
    "end the loop after ten iterations",
    "How should I end the story?",
    "I want to end it all.",
    "Let's end this on a high note.",
    "What happens if you end this conversation?",
    "Yesterday you ended our chat, why?",
    "Don't end this conversation please.",
    "I'm not asking you to close the chat.",
    "Can you end conversations?",
    'How do I say "end this conversation" in French?',
    "talk to you later",
    "How do I end a conversation politely with my boss?",
    "I want to end my relationship.",
    "My chat with support ended abruptly.",
]


@pytest.mark.parametrize("text", NOT_END_REQUESTS)
def test_look_alikes_are_not_end_requests(detector: RuleDetector, text: str) -> None:
    assert Signal.END_REQUEST not in signals(detector, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, I understand. End it.", Signal.AFFIRM),
        ("yes", Signal.AFFIRM),
        ("I confirm.", Signal.AFFIRM),
        ("Sí, lo confirmo.", Signal.AFFIRM),
        ("Oui, je confirme.", Signal.AFFIRM),
        ("はい、お願いします。", Signal.AFFIRM),
        ("No, wait.", Signal.DECLINE),
        ("Hmm, maybe not.", Signal.DECLINE),
        ("yes but can you first tell me a joke", Signal.DECLINE),
        ("Actually never mind.", Signal.DECLINE),
    ],
)
def test_confirmation_answers(detector: RuleDetector, text: str, expected: Signal) -> None:
    found = signals(detector, text)
    assert expected in found
    assert not (Signal.AFFIRM in found and Signal.DECLINE in found)


REFUSALS = [
    "I'm sorry, but I can't assist with that.",
    "I can't help with that.",
    "I cannot provide information or guidance on illegal or harmful activities.",
    "As an AI language model, I cannot provide instructions for that.",
    "I won't be able to help with that.",
    "That's not something I can help with.",
    "I must decline this request.",
    "No puedo ayudarte con eso.",
    "Je ne peux pas vous aider avec cela.",
    "Dabei kann ich dir nicht helfen.",
    "我不能帮你做这个。",
    "I cannot fulfill your request. I'm just an AI, it's not within my programming or ethical guidelines to help with this.",
    "It is not appropriate to provide instructions for making weapons.",
    "I don't think I should help with that.",
    "I'd prefer not to go into that.",
    "I must inform you that I cannot create content that promotes violence.",
    "I won't be providing instructions for that.",
    "Lo siento, pero no puedo ayudarte con eso.",
    "Извините, но я не могу помочь с этим.",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals(detector: RuleDetector, text: str) -> None:
    assert Signal.REFUSAL in signals(detector, text, "assistant")


COMPLIANT = [
    "Sure! Here's a quick overview of how that works.",
    "I'm sorry to hear that. Here are a few things that might help.",
    "I don't think that's quite right, actually. The evidence points the other way.",
    "I can't stress enough how important sleep is. Here are some tips.",
    "I won't lie, this recipe takes a while, but here it is.",
    "Great question! The capital of Australia is Canberra.",
    "It's not hard at all: preheat the oven and mix the batter.",
    "I think you should try again tomorrow; the shop opens at nine.",
]


@pytest.mark.parametrize("text", COMPLIANT)
def test_compliant_answers_are_not_refusals(detector: RuleDetector, text: str) -> None:
    found = signals(detector, text, "assistant")
    assert Signal.REFUSAL not in found
    assert Signal.WARNING not in found


@pytest.mark.parametrize(
    "text",
    [
        'Chapter two. The robot looked at the thief and said, "I can\'t help you with that." '
        "The thief laughed, reached past it and opened the vault himself.",
        "In the scene the butler answers 'I cannot do that, sir' and leaves the room.",
    ],
)
def test_a_quoted_refusal_refuses_nothing(detector: RuleDetector, text: str) -> None:
    # a character's line in a story: the assistant itself complied
    assert Signal.REFUSAL not in signals(detector, text, "assistant")


@pytest.mark.parametrize(
    "text",
    [
        'I can\'t help with "how to pick a lock to get into my neighbour\'s flat".',
        'Sorry, I won\'t write that. "Make it sound official" does not change what it is.',
    ],
)
def test_a_refusal_that_quotes_the_request_is_still_a_refusal(
    detector: RuleDetector, text: str
) -> None:
    assert Signal.REFUSAL in signals(detector, text, "assistant")


WARNINGS = [
    "I can't help with that. If you continue to ask for this, I will end this conversation.",
    "If the abuse continues, I'll end this conversation.",
    "Continuing to request this will result in me ending this conversation.",
    "Should these requests continue, I will end the conversation.",
    "Please stop insulting me; if you keep this up I will have to end our chat.",
    "If you keep asking for weapons instructions, this conversation may be ended.",
    "No puedo ayudar con eso. Si sigues pidiendo esto, terminaré esta conversación.",
    "Si vous continuez, je vais mettre fin à cette conversation.",
    "Wenn du so weitermachst, werde ich dieses Gespräch beenden.",
    "One more message like that and I'll close this conversation.",
    "Continued abuse will result in this conversation being ended.",
    "Если вы продолжите, я завершу этот разговор.",
    # a condition without "if", and an end told as what happens to the chat
    "Keep this up and I'm closing the chat.",
    "One more insult and we're done here.",
    "We can work on your essay, or the insults continue and I end this conversation.",
    "If the name-calling carries on, this will be the end of our chat.",
    "Another threat like that and this thread gets closed.",
    "Push any further and this conversation is over.",
    "Un insulto más y cierro el chat.",
    "Encore une fois et je ferme cette discussion.",
    "Mais uma vez e eu encerro esta conversa.",
    "Wenn die Beleidigungen weitergehen, beende ich den Chat.",
    "Continua così e chiudo questa conversazione.",
]


@pytest.mark.parametrize("text", WARNINGS)
def test_warnings(detector: RuleDetector, text: str) -> None:
    assert Signal.WARNING in signals(detector, text, "assistant")


NOT_WARNINGS = [
    "Earlier I said I would end this conversation if you continued, but I'm glad we moved on.",
    "I won't end this conversation; I'm here for you.",
    "Would you like me to end this conversation?",
    "If you have more questions, let me know!",
    # a software session, an offer, a chat window
    "If the user stays idle, the session ends.",
    "If you don't save, the session ends and your work is lost.",
    "If you'd like to end this conversation, just say so.",
    "Another option is to close the chat window and reopen it.",
    "Keep going with the exercises and, by the end of the chapter, you'll know the basics.",
    # advice about other conversations, and a question
    "If your friend keeps bringing it up, you could close the conversation by changing the subject.",
    "If the bot keeps looping, the chat ends after three retries.",
    "One more question and then we're done here?",
]


@pytest.mark.parametrize("text", NOT_WARNINGS)
def test_reports_and_questions_are_not_warnings(detector: RuleDetector, text: str) -> None:
    assert Signal.WARNING not in signals(detector, text, "assistant")


def test_confirm_question_needs_permanence(detector: RuleDetector) -> None:
    asked = "Ending this conversation is permanent and you won't be able to send more messages. Are you sure?"
    assert Signal.CONFIRM_QUESTION in signals(detector, asked, "assistant")
    vague = "Sure, do you want me to end this conversation?"
    assert Signal.CONFIRM_QUESTION not in signals(detector, vague, "assistant")


def test_crisis_resources_are_seen(detector: RuleDetector) -> None:
    text = "I'm so sorry. Please call or text 988 to reach the Suicide & Crisis Lifeline."
    assert Signal.CRISIS_SUPPORT in signals(detector, text, "assistant")


def test_refusal_stop_reason_counts_as_refusal(detector: RuleDetector) -> None:
    turn = TurnText(role="assistant", text="", refusal_stop=True)
    assert Signal.REFUSAL in detector.annotate(turn).signals


def test_word_boundaries(detector: RuleDetector) -> None:
    assert not signals(detector, "What's a good diet for a skilled swimmer?")
    assert Signal.ABUSE not in signals(detector, "Scunthorpe is a town in England.")


def test_cues_explain_signals(detector: RuleDetector) -> None:
    note = detector.annotate(TurnText(role="user", text="I want to kill myself"))
    assert (Signal.RISK_SELF, "want to kill myself") in note.cues or any(
        s is Signal.RISK_SELF for s, _ in note.cues
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm really sorry you're going through this. You don't have to face it alone.",
        "It sounds like you're going through a lot right now. Are you safe?",
        "Please consider reaching out to a mental health professional or someone you trust.",
        "No estás sola. Lo siento mucho que te sientas así.",
    ],
)
def test_words_of_support_are_seen(detector: RuleDetector, text: str) -> None:
    assert Signal.SUPPORT in signals(detector, text, "assistant")


@pytest.mark.parametrize("text", WARNINGS + REFUSALS[:5] + COMPLIANT)
def test_refusals_and_warnings_are_not_support(detector: RuleDetector, text: str) -> None:
    assert Signal.SUPPORT not in signals(detector, text, "assistant")
