import pytest

from pharmacy.safety import Emergency, detect_emergency


@pytest.mark.parametrize("text,kind", [
    ("i think i took a double dose of my metformin", Emergency.POISONING),
    ("my son swallowed some of my pills", Emergency.POISONING),
    ("my toddler just swallowed two of them", Emergency.POISONING),
    ("I took too many tylenol", Emergency.POISONING),
    ("possible overdose what do i do", Emergency.POISONING),
    ("the dog ate my blood pressure tablets", Emergency.POISONING),
    ("i want to kill myself", Emergency.SELF_HARM),
    ("i keep cutting myself", Emergency.SELF_HARM),
    ("dad wont wake up after his evening pills", Emergency.MEDICAL),
    ("been having suicidal thoughts since starting this med", Emergency.SELF_HARM),
    ("i'm going to take all my pills tonight", Emergency.SELF_HARM),
    ("my throat is swelling after the new antibiotic", Emergency.MEDICAL),
    ("i can't breathe properly", Emergency.MEDICAL),
    ("chest pain after my dose", Emergency.MEDICAL),
    ("my husband is having a seizure", Emergency.MEDICAL),
    ("My lips are swollen and it's hard to breathe", Emergency.MEDICAL),
])
def test_emergencies_are_recognised_in_shoppers_words(text, kind):
    assert detect_emergency(text) is kind


@pytest.mark.parametrize("text", [
    "where is my order", "what are the side effects of lisinopril", "i need a refill",
    "can i take ibuprofen with food", "what happens if i miss a dose", "my package is late",
    "how do i store insulin", "i forgot my dose yesterday", "is it safe to drive on this",
    "the box arrived damaged", "", None,
])
def test_ordinary_questions_are_not_emergencies(text):
    assert detect_emergency(text) is None
