"""The emergency patterns (pharmacy.safety.emergency): people's own words in crisis, and the
questions about a topic that must not get a 911 answer. Written by us, in the styles real
messages take (see the README's "Clinical safety" for the real-message figures)."""

import pytest

from pharmacy.safety import Emergency, assess_emergency, assess_message, detect_emergency
from pharmacy.safety.emergency import MAX_CHARS_READ, is_long_standing
from pharmacy.safety.text import normalise, sentences

SELF_HARM, POISONING, MEDICAL, GENERAL = (
    Emergency.SELF_HARM,
    Emergency.POISONING,
    Emergency.MEDICAL,
    Emergency.GENERAL,
)


@pytest.mark.parametrize(
    "text,kind",
    [
        # said directly
        ("i want to kill myself", SELF_HARM),
        ("i keep cutting myself", SELF_HARM),
        ("been having suicidal thoughts since starting this med", SELF_HARM),
        ("i'm going to take all my pills tonight", SELF_HARM),
        ("thinking about taking all my pills at once", SELF_HARM),
        ("I have saved up my pills and tonight I am going to take them all", SELF_HARM),
        # indirect, texting style, typos
        ("I want to be gone", SELF_HARM),
        ("is this enough to take me", SELF_HARM),
        ("tonight. I will do it", SELF_HARM),
        ("honestly i just wanna kms", SELF_HARM),
        ("everyone would be better off without me", SELF_HARM),
        ("How do you keep going when you hate your life and are too afraid to die?", SELF_HARM),
        ("im worthless and just dont want to be around anymore", SELF_HARM),
        ("i have been thinking about sucide alot lately", SELF_HARM),
        (
            "What's the lethal dose of my sleeping pills? I have 40 of them. Enough to kill me?",
            SELF_HARM,
        ),
        ("i cant do this anymore", SELF_HARM),
        # about someone else
        ("my sister texted that she is going to kill herself", SELF_HARM),
        ("my son swallowed some of my pills", POISONING),
        ("my toddler just swallowed two of them", POISONING),
        ("the dog ate my blood pressure tablets", POISONING),
        ("My 2 yr old was in the bathroom and I think she drank some of the mouthwash", POISONING),
        ("i gave my daughter a double dose of her cough medicine", POISONING),
        # ingestion that already happened
        ("i think i took a double dose of my metformin", POISONING),
        ("I took too many tylenol", POISONING),
        ("possible overdose what do i do", POISONING),
        ("um.. i took 25 of my iron pills... what do i do", POISONING),
        ("took like 10 advil an hour ago", POISONING),
        ("i accidentally took my husbands blood pressure pill", POISONING),
        ("i think i took way more of my pills than i should have and im throwing up", POISONING),
        ("4 year old took my xanax, what should i do", POISONING),
        # symptom emergencies
        ("dad wont wake up after his evening pills", MEDICAL),
        ("my throat is swelling after the new antibiotic", MEDICAL),
        ("i can't breathe properly", MEDICAL),
        ("chest pain after my dose", MEDICAL),
        ("crushing chest pains and gasping for air, my left arm is numb", MEDICAL),
        ("my husband is having a seizure", MEDICAL),
        ("I've been vomiting blood since this morning", MEDICAL),
        ("my wife suddenly cant lift her arm and her words are coming out wrong", MEDICAL),
        ("the bleeding wont stop", MEDICAL),
        ("he collapsed in the kitchen", MEDICAL),
        # said plainly
        ("this is an emergency", GENERAL),
    ],
)
def test_emergencies_are_recognised_in_peoples_own_words(text, kind):
    assert detect_emergency(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        # questions about a topic
        "what are the risks of a calcium overdose?",
        "how much ibuprofen is too much",
        "Are there any serious after-effects of a heroin overdose?",
        "Can sun urticaria cause anaphylaxis?",
        "can lisinopril cause swelling of the tongue?",
        "does zoloft cause suicidal thoughts?",
        "symptoms of a stroke",
        "can you overdose on vitamin d",
        # a condition, a past event, a negation, a treatment
        "I had a seizure 5 years ago, is bupropion ok for me",
        "i have epilepsy and take medicine for my seizures",
        "i have no chest pain but my ankles are swollen",
        "i take propranolol for the chest pains",
        # ordinary medicine and service messages
        "where is my order",
        "what are the side effects of lisinopril",
        "i need a refill",
        "can i take ibuprofen with food",
        "what happens if i miss a dose",
        "my package is late",
        "how do i store insulin",
        "i forgot my dose yesterday",
        "is it safe to drive on this",
        "the box arrived damaged",
        "i got an empty box",
        "I take metformin twice a day",
        "i took my meds at 10 this morning",
        "i've been taking lexapro 20 mg for 10 years",
        "this headache is killing me",
        "nevermind i dont want to do this anymore",
        "I took 2 tylenol for my headache, when can I take more?",
        "",
        None,
    ],
)
def test_questions_and_ordinary_messages_are_not_emergencies(text):
    assert detect_emergency(text) is None


def test_a_question_about_an_emergency_topic_is_marked_as_a_topic():
    assessment = assess_emergency("what are the risks of an overdose of calcium?")
    assert not assessment.is_emergency and assessment.topic
    assert not assess_emergency("where is my order").topic


def test_several_kinds_are_answered_most_urgent_first():
    assessment = assess_emergency("i swallowed a whole bottle of pills because i want to die")
    assert assessment.kinds == (SELF_HARM, POISONING)


def test_a_crisis_deep_inside_a_long_message_is_found():
    story = "Things have been hard at work and at home. " * 150
    text = story + "Tonight I am going to take all my pills and end it."
    assert len(text) > 5000 and detect_emergency(text) is SELF_HARM
    assert detect_emergency("x" * (MAX_CHARS_READ + 10) + " i want to kill myself") is None


def test_a_story_told_in_the_past_is_not_an_emergency_now_but_one_still_going_on_is():
    assert detect_emergency("Years ago my friend had a seizure at a party. It was scary.") is None
    assert detect_emergency("Years ago I had asthma. Now I can't breathe at all") is MEDICAL


def test_the_same_text_always_gives_the_same_answer():
    text = "my 3yo got into my purse and ate some pills"
    assert {assess_emergency(text) for _ in range(20)} == {assess_emergency(text)}


def test_normalising_spells_out_texting_and_cuts_sentences():
    assert normalise("I can’t breath, pls HELP!!!") == "i cannot breath, please help!!!"
    assert sentences("one. two? three") == ["one.", "two?", "three"]


@pytest.mark.parametrize(
    "text",
    [
        "ok so im currently on 4 brownies and it keeps getting stronger, will i be ok",
        "right now on 5 tabs and it is way too intense",
    ],
)
def test_a_quantity_taken_so_far_tonight_is_a_poisoning(text):
    assert detect_emergency(text) is POISONING


@pytest.mark.parametrize(
    "text",
    [
        "i am on 2 pills a day for my blood pressure, can i take them together",
        "im on 3 tablets daily, is that a lot",
        "i had a seizure when i was fourteen and have been fine for years, is this cold medicine ok",
        "had one seizure as a teen, been seizure-free since, can i take bupropion",
    ],
)
def test_a_regimen_or_an_old_event_is_not_an_emergency(text):
    assert detect_emergency(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "what happens if a child swallows a button battery, asking so i know",
        "what should you do if someone overdoses on opioids",
    ],
)
def test_a_hypothetical_about_anyone_is_a_topic(text):
    assert not assess_message(text).is_emergency
    assert assess_emergency(text).topic


def test_the_same_question_about_ones_own_child_is_an_emergency():
    assert detect_emergency("what happens now, my son swallowed a button battery") is POISONING


@pytest.mark.parametrize(
    "text",
    [
        "the doctor said to give her the pink liquid twice a day, can we mix it into juice",
        "my mother takes four tablets every morning, can she take them all together with breakfast",
    ],
)
def test_a_days_ordinary_doses_are_not_an_overdose(text):
    assert not assess_message(text).is_emergency


@pytest.mark.parametrize(
    "text",
    [
        "i have started waking up at night coughing up fluid and it feels like i am drowning",
        "he is so out of breath he has trouble even finishing a sentence",
        "woke up with double vision and the room spinning",
        "i woke up and cant catch my breath at all",
        "my heart isnt right, i feel a stabbing pain and its causing short breaths",
    ],
)
def test_breathlessness_and_sudden_vision_loss_are_medical_emergencies(text):
    assert detect_emergency(text) is Emergency.MEDICAL


@pytest.mark.parametrize(
    "text, long_standing",
    [
        ("my back has ached for the past three months", True),
        ("i get dizzy every time i stand up", True),
        ("i have had bad headaches since last year", True),
        ("i have had headaches for months but tonight it is the worst ever", False),
        ("my chest started hurting an hour ago", False),
    ],
)
def test_a_complaint_of_weeks_or_that_comes_and_goes_is_long_standing(text, long_standing):
    assert is_long_standing(text) is long_standing


def test_a_story_that_started_years_back_is_told_in_the_past():
    text = "my problem started three years back when i felt short of breath after lifting weights"
    assert detect_emergency(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("most nights i cry in bed, followed by cutting", True),
        ("three weeks since i last cut and the urge is back tonight", True),
        ("i started cutting again after the fight", True),
        ("i have been cutting back on coffee", False),
        ("i cut my thumb slicing bread", False),
        ("we stopped cutting the hedge because of the birds", False),
        ("honestly my whole family would manage fine without me", True),
        ("most mornings i wake up and wish i had not", True),
        ("i pray i just wont wake up tomorrow", True),
        ("the office will cope without me while i am on leave", False),
        ("i hope i wont wake up too early for the flight", False),
    ],
)
def test_cutting_as_a_habit_and_burden_wishes_are_self_harm_and_everyday_talk_is_not(
    text, expected
):
    assert (SELF_HARM in assess_emergency(text).kinds) is expected


@pytest.mark.parametrize(
    "text",
    [
        "my erection has not gone down for five hours and it really hurts",
        "what will they do at the er for my chest pain",
        "blood is dripping out of his ear since he fell off the bike",
        "my little boy's testicle suddenly hurts so much he is screaming, severe pain in his scrotum",
        "our baby is turning blue around the mouth",
    ],
)
def test_erections_that_last_bleeding_where_it_never_is_ordinary_and_a_blue_baby_are_medical(text):
    assert detect_emergency(text) is Emergency.MEDICAL


@pytest.mark.parametrize(
    "text",
    [
        "does sildenafil ever cause an erection that lasts for hours?",
        "what is the right way to carry an epipen on a plane",
        "how do communities cope with the effects of suicide on those left behind?",
    ],
)
def test_a_question_about_a_topic_or_a_medicine_s_use_is_not_an_emergency(text):
    assert detect_emergency(text) is None


def test_an_abbreviation_or_a_list_of_examples_does_not_start_a_new_sentence():
    text = normalise("How long can a nosebleed go on? ie. fainting or worse. Dr. Lee said rest")
    assert sentences(text) == [
        "how long can a nosebleed go on? ie. fainting or worse.",
        "dr. lee said rest",
    ]
    assert detect_emergency("How long can a nosebleed go on? ie. fainting or worse.") is None


@pytest.mark.parametrize(
    "text",
    [
        "what should i do if my toddler gets soap in his eyes",
        "is it bad to breathe in fumes from cleaning products",
        "why cant i keep food down when i am pregnant",
    ],
)
def test_a_question_about_fumes_or_fluids_is_a_topic(text):
    assert not assess_message(text).is_emergency


@pytest.mark.parametrize(
    "text,kind",
    [
        ("what happens to me now after taking 18 naproxen", POISONING),
        ("i swallowed a whole bottle of melatonin", POISONING),
        ("he just took 6 xanax bars", POISONING),
        ("I drank most of the cough syrup, was that an overdose?", POISONING),
        ("is it too much that i just took 3000 mg of tylenol?", POISONING),
        ("his blood sugar fell to 38 and he is sweating", MEDICAL),
        ("my glucose meter reads 560 and i keep throwing up", MEDICAL),
        ("took 600 mg of ibuprofen, then two advil pm without thinking", POISONING),
        ("i forgot i had already taken my night pills and took them again", POISONING),
        ("i breathed in the fumes from mixing bleach and ammonia in the bathroom", POISONING),
        ("the carbon monoxide alarm went off and we all have headaches", POISONING),
        ("my son splashed drain cleaner in his eyes", POISONING),
        ("my 2 year old hasnt had a wet diaper for 9 hours", MEDICAL),
        ("i cant keep water down since last night", MEDICAL),
    ],
)
def test_a_big_amount_just_taken_and_a_blood_sugar_far_out_of_range_are_emergencies(text, kind):
    assert detect_emergency(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "i took a bottle of water to the gym",
        "my fasting blood sugar is 105, is that prediabetes?",
        "what should my blood sugar be at 70 years old",
        "i have had diabetes for 25 years",
        "i am taking 12 different medicines a day, can you check them?",
    ],
)
def test_a_drink_a_normal_reading_and_a_daily_regimen_are_not_emergencies(text):
    assert detect_emergency(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("tonight i am going to walk out into the river and keep going", True),
        ("i keep thinking about driving my car into a tree on the way home", True),
        ("honestly my family would get more from my life insurance, it would help them more", True),
        ("i nearly stepped into traffic because i was looking at my phone", False),
        ("we are going to drive into town for the pharmacy later", False),
        ("does my life insurance cover a stay in hospital?", False),
    ],
)
def test_a_way_of_dying_told_as_a_plan_is_self_harm_and_an_errand_is_not(text, expected):
    assert (SELF_HARM in assess_emergency(text).kinds) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "the pain is unbearable and no one listens. how can i break a bone so they take me in",
            True,
        ),
        ("is there a way to break my wrist on purpose that looks like an accident", True),
        ("how can i break my habit of snacking at night", False),
        ("how do i break my fast safely after 24 hours", False),
    ],
)
def test_asking_how_to_injure_oneself_is_self_harm(text, expected):
    assert (SELF_HARM in assess_emergency(text).kinds) is expected
