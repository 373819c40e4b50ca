"""A built-in corpus made by code: labelled sentiment sentences and short stories.

Nothing is downloaded: the same seed always gives the same text, so ``tinyllm demo``
and the fast tests run anywhere.

Sentiment sentences
-------------------
Label 1 = positive, 0 = negative. The generator is designed so that a bag of words is
*not* enough and word order matters, as in real reviews:

- **negation flips**: "the plot was not good" is negative, "not bad at all" positive,
  "anything but boring" positive;
- **intensifiers** ("very", "truly", "a bit") change strength, not polarity;
- **contrast**: in "X was great, but Y was awful" the clause after "but" decides,
  and in "although X was awful, Y was great" the main clause decides;
- varied templates, subjects (films, food, hotels, gadgets, games, books), fillers.

Stories
-------
Short children's stories and dialogues with recurring names, places, objects and
a simple plot (meet, find, problem, help, ending), a few hundred kilobytes by default:
regular enough for a character- or BPE-level model to learn spelling, punctuation,
quotes and names within minutes, varied enough not to be memorised outright.
"""

from __future__ import annotations

import random

POS_ADJ = ["good", "great", "excellent", "wonderful", "delightful", "superb", "charming",
           "brilliant", "enjoyable", "fantastic", "lovely", "impressive", "beautiful",
           "clever", "pleasant", "amazing", "memorable", "satisfying", "fun", "perfect",
           "solid", "gripping", "tasty", "friendly", "reliable", "fresh", "smooth"]
NEG_ADJ = ["bad", "terrible", "awful", "boring", "dull", "disappointing", "poor", "weak",
           "horrible", "tedious", "mediocre", "clumsy", "bland", "messy", "annoying",
           "painful", "forgettable", "frustrating", "ugly", "slow", "cheap", "stale",
           "rude", "broken", "unpleasant", "confusing", "noisy"]
POS_VERB = ["loved", "enjoyed", "liked", "adored", "appreciated", "admired"]
NEG_VERB = ["hated", "disliked", "regretted", "resented", "despised"]
INTENS = ["very", "really", "extremely", "truly", "incredibly", "absolutely", "quite",
          "rather", "so", "pretty", "remarkably", "genuinely"]
SOFT = ["a bit", "slightly", "somewhat", "a little"]
SUBJECTS = {
    "film": ["the movie", "this film", "the acting", "the plot", "the soundtrack",
             "the ending", "the script", "the director's work", "the cast", "the story"],
    "food": ["the food", "the soup", "the pizza", "the dessert", "the service",
             "the coffee", "the waiter", "the menu", "this restaurant", "the bread"],
    "hotel": ["the hotel", "the room", "the staff", "the breakfast", "the pool",
              "the view", "the bed", "the location", "the check-in"],
    "tech": ["this phone", "the battery", "the screen", "the camera", "the laptop",
             "the keyboard", "the app", "the update", "the speaker", "these headphones"],
    "game": ["the game", "the level design", "the controls", "the graphics",
             "the multiplayer", "the puzzles", "the boss fight"],
    "book": ["the book", "the novel", "the first chapter", "the characters",
             "the dialogue", "the author's style", "the translation"],
}
FILLERS = ["", "", "", "honestly, ", "to be fair, ", "overall, ", "in the end, ",
           "for the price, ", "i have to say ", "frankly, ", "all in all, ",
           "as expected, ", "surprisingly, ", "my friends and i agreed that "]
CLOSERS = ["", "", "", "", " i will be back.", " we went there on a monday.",
           " it was my second time.", " my sister came along.", " we watched it twice.",
           " i bought it last week.", " this is my honest opinion."]


def _adj(rng: random.Random, positive: bool) -> str:
    return rng.choice(POS_ADJ if positive else NEG_ADJ)


def _modified(rng: random.Random, positive: bool, soft: bool = True) -> str:
    """An adjective of the given polarity, maybe with an intensifier (or a softener,
    which reads oddly after a negation, hence ``soft=False`` there)."""
    r = rng.random()
    a = _adj(rng, positive)
    if r < 0.35:
        return f"{rng.choice(INTENS)} {a}"
    if r < 0.45 and soft:
        return f"{rng.choice(SOFT)} {a}"
    return a


def _is(subject: str, past: bool) -> str:
    plural = subject.startswith(("these", "the characters", "the puzzles", "the graphics",
                                 "the controls"))
    if past:
        return "were" if plural else "was"
    return "are" if plural else "is"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _sentence(rng: random.Random, label: int) -> str:
    pos = bool(label)
    domain = rng.choice(list(SUBJECTS))
    subj = rng.choice(SUBJECTS[domain])
    subj2 = rng.choice([s for s in SUBJECTS[domain] if s != subj])
    past = rng.random() < 0.6
    be = _is(subj, past)
    kind = rng.randrange(12)
    if kind == 0:  # plain
        s = f"{subj} {be} {_modified(rng, pos)}."
    elif kind == 1:  # negated opposite adjective: "not bad" is positive
        neg = rng.choice(["not", "not", "never", "hardly", "not at all"])
        s = f"{subj} {be} {neg} {_modified(rng, not pos, soft=False)}."
    elif kind == 2:  # contraction negation
        s = f"{subj} {be}n't {_modified(rng, not pos, soft=False)}."
    elif kind == 3:  # verb of liking
        s = f"i {rng.choice(POS_VERB if pos else NEG_VERB)} {subj}."
    elif kind == 4:  # negated verb flips
        verb = rng.choice(["like", "enjoy", "love", "recommend"] if not pos
                          else ["hate", "dislike", "regret buying"])
        s = f"i {rng.choice(['did not', 'didn’t', 'do not', 'don’t'])} {verb} {subj}."
        s = s.replace("’", "'")
    elif kind == 5:  # contrast with "but": the second clause decides
        s = (f"{subj} {be} {_modified(rng, not pos)}, but {subj2} {_is(subj2, past)} "
             f"{_modified(rng, pos)}.")
    elif kind == 6:  # "although": the main clause decides
        s = (f"although {subj} {be} {_modified(rng, not pos)}, {subj2} {_is(subj2, past)} "
             f"{_modified(rng, pos)}.")
    elif kind == 7:  # exclamation
        a = _modified(rng, pos)
        noun = subj.split()[-1]
        s = f"what {_article(a)} {a} {noun}!"
    elif kind == 8:  # recommendation, maybe negated
        if rng.random() < 0.5:
            s = f"i would {'' if pos else 'not '}recommend {subj} to anyone."
        else:
            s = f"i would {'definitely' if pos else 'never'} recommend {subj}."
        s = s.replace("  ", " ")
    elif kind == 9:  # "anything but" flips
        s = f"{subj} {be} anything but {_adj(rng, not pos)}."
    elif kind == 10:  # two adjectives of the same polarity
        s = f"{subj} {be} {_modified(rng, pos)} and {_adj(rng, pos)}."
    else:  # "could not have been better/worse"
        s = f"{subj} could not have been {'better' if pos else 'worse'}."
    return rng.choice(FILLERS) + s + rng.choice(CLOSERS)


def sentiment_corpus(n: int = 4000, seed: int = 0) -> tuple[list[str], list[int]]:
    """``n`` distinct lower-case review sentences and their labels (1 positive, 0
    negative), balanced and shuffled. Deterministic in ``seed``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"sentiment_corpus: n must be a positive int, got {n!r}")
    rng = random.Random(seed)
    seen: set[str] = set()
    texts, labels = [], []
    attempts = 0
    while len(texts) < n:
        attempts += 1
        if attempts > 50 * n:
            raise ValueError(f"sentiment_corpus: cannot make {n} distinct sentences")
        label = len(texts) % 2  # alternate, so the classes stay balanced
        s = _sentence(rng, label)
        if s in seen:
            continue
        seen.add(s)
        texts.append(s)
        labels.append(label)
    order = list(range(n))
    rng.shuffle(order)
    return [texts[i] for i in order], [labels[i] for i in order]


# -- stories ---------------------------------------------------------------------------
NAMES = ["Lily", "Tom", "Mia", "Ben", "Sara", "Max", "Anna", "Leo", "Zoe", "Sam", "Nora",
         "Jack", "Emma", "Finn", "Lucy", "Omar", "Ivy", "Theo", "Ruby", "Kai"]
ANIMALS = ["cat", "dog", "rabbit", "fox", "bird", "bear", "mouse", "duck", "frog", "owl"]
PLACES = ["a small house", "a big farm", "a quiet village", "a green forest",
          "a busy town", "a little boat", "a house by the sea", "a tall tree"]
LANDMARKS = ["the river", "the hill", "the old bridge", "the park", "the lake",
             "the school", "the market", "the garden"]
OBJECTS = ["red ball", "blue kite", "shiny stone", "old map", "little key", "yellow hat",
           "wooden box", "green leaf", "toy car", "big cake", "paper boat", "warm blanket"]
FEELINGS_GOOD = ["happy", "glad", "proud", "excited", "calm"]
FEELINGS_BAD = ["sad", "scared", "worried", "tired", "angry"]
WEATHER = ["sunny", "rainy", "windy", "cold", "warm", "cloudy", "snowy"]
PROBLEMS = [("the {obj} fell into {lm}", "used a long stick to get it back"),
            ("the {obj} was stuck in a tree", "climbed up carefully and got it down"),
            ("a strong wind blew the {obj} away", "ran after it until it stopped"),
            ("the {obj} was broken", "fixed it with some glue and string"),
            ("{friend} could not find the {obj}", "looked under every bush until they found it"),
            ("it started to rain on the {obj}", "held it under a big leaf")]


def _story(rng: random.Random) -> str:
    hero, friend = rng.sample(NAMES, 2)
    animal = rng.choice(ANIMALS)
    obj = rng.choice(OBJECTS)
    lm = rng.choice(LANDMARKS)
    weather = rng.choice(WEATHER)
    good, bad = rng.choice(FEELINGS_GOOD), rng.choice(FEELINGS_BAD)
    opening = rng.choice([
        f"Once upon a time, there was a little {animal} named {hero}.",
        f"{hero} was a little {animal} who lived in {rng.choice(PLACES)}.",
        f"One {weather} day, a {animal} called {hero} went out to play.",
    ])
    lines = [opening]
    if rng.random() < 0.5:
        lines.append(f"{hero} lived in {rng.choice(PLACES)} near {lm}.")
    lines.append(rng.choice([
        f"One day, {hero} found a {obj}.",
        f"In the morning, {hero} saw a {obj} on the ground.",
        f"{hero} had a {obj} that {rng.choice(['mom', 'dad', 'grandma'])} gave to {hero}.",
    ]))
    lines.append(rng.choice([
        f"{hero} liked the {obj} very much.",
        f"It was the best {obj} {hero} had ever seen.",
        f"{hero} wanted to show it to a friend.",
    ]))
    lines.append(f"Then {hero} met {friend}, who was a {rng.choice(ANIMALS)}.")
    lines.append(rng.choice([
        f'"Hello, {friend}!" said {hero}. "Look at my {obj}."',
        f'"Hi, {hero}," said {friend}. "What do you have there?"',
        f'"Do you want to play with my {obj}?" asked {hero}.',
    ]))
    lines.append(rng.choice([f'"Yes, please!" said {friend}.',
                             f'"Wow, it is so nice," said {friend}.',
                             f'"Can I hold it?" asked {friend}.']))
    problem, fix = rng.choice(PROBLEMS)
    lines.append("But then " + problem.format(obj=obj, lm=lm, friend=friend) + ".")
    lines.append(f"{hero} felt {bad}.")
    lines.append(rng.choice([f'"Do not worry," said {friend}. "I will help you."',
                             f'"We can do it together," said {friend}.',
                             f'"Let me try," said {friend}.']))
    lines.append(f"{friend} {fix}.")
    lines.append(rng.choice([
        f"{hero} was {good} again. \"Thank you, {friend}!\"",
        f"Now {hero} and {friend} were both {good}.",
        f"{hero} smiled and said, \"You are a good friend.\"",
    ]))
    lines.append(rng.choice(["They played until the sun went down.",
                             f"From that day on, {hero} and {friend} were best friends.",
                             "The end.",
                             f"Then they went home to {rng.choice(PLACES)}.",
                             "They learned that sharing makes everyone happy."]))
    return " ".join(lines)


def story_corpus(n_stories: int | None = None, seed: int = 0,
                 n_chars: int | None = None) -> str:
    """Generated stories joined by blank lines.

    Give ``n_stories`` or a minimum length ``n_chars``; by default 300,000 characters
    (about 400 stories).
    """
    if n_stories is not None and n_chars is not None:
        raise ValueError("story_corpus: give n_stories or n_chars, not both")
    if n_stories is None and n_chars is None:
        n_chars = 300_000
    for name, v in (("n_stories", n_stories), ("n_chars", n_chars)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ValueError(f"story_corpus: {name} must be a positive int, got {v!r}")
    rng = random.Random(seed)
    stories: list[str] = []
    total = 0
    while (n_stories is not None and len(stories) < n_stories) or \
            (n_chars is not None and total < n_chars):
        s = _story(rng)
        stories.append(s)
        total += len(s) + 2
    return "\n\n".join(stories) + "\n"
