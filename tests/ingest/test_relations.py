"""Relation patterns on sentences we wrote (real facts, our words), each with the triple it must give."""

import pytest

from kg.ingest.parse import ParsedDocument
from kg.ingest.sources import Source

K = "https://w3id.org/nhs-policy-kg/id/"


def relations(pipeline, text):
    doc = ParsedDocument(title=text.split("\n")[0], text=text, source=Source("t.txt", text, "0" * 64, "utf-8"))
    extraction = pipeline.extract(doc)
    return {
        (r.subject.removeprefix(K), r.predicate, r.object.removeprefix(K)) for r in extraction.relations
    }, extraction


CASES = [
    (
        "Next Steps set out how sustainability and transformation partnerships (STPs) could evolve into accountable care systems.",
        ("sustainability-and-transformation-partnership", "evolvesInto", "accountable-care-system"),
    ),
    (
        "In 2018 accountable care systems were renamed integrated care systems.",
        ("accountable-care-system", "evolvesInto", "integrated-care-system"),
    ),
    (
        "Integrated care boards replaced clinical commissioning groups on 1 July 2022.",
        ("integrated-care-board", "supersedes", "clinical-commissioning-group"),
    ),
    (
        "The draft MCP contract was superseded by the ACO contract in 2017.",
        ("aco-contract", "supersedes", "mcp-contract"),
    ),
    (
        "Multispecialty community providers are one form of accountable care organisation.",
        ("multispecialty-community-provider", "isExampleOf", "accountable-care-organisation"),
    ),
    (
        "The Five Year Forward View introduced multispecialty community providers and primary and acute care systems.",
        ("primary-and-acute-care-system", "introducedBy", "five-year-forward-view"),
    ),
    (
        "Primary care networks were introduced by the NHS Long Term Plan.",
        ("primary-care-network", "introducedBy", "nhs-long-term-plan"),
    ),
    (
        "NHS England published the Five Year Forward View in October 2014.",
        ("five-year-forward-view", "publishedBy", "nhs-england"),
    ),
    (
        "Commissioners adopting the ACO contract are required to complete the integrated support and assurance process first.",
        ("aco-contract", "requires", "integrated-support-and-assurance-process"),
    ),
    (
        "Primary care networks are part of integrated care systems.",
        ("primary-care-network", "partOf", "integrated-care-system"),
    ),
    (
        "The Department of Health became the Department of Health and Social Care in January 2018.",
        ("department-of-health", "evolvesInto", "department-of-health-and-social-care"),
    ),
]


@pytest.mark.parametrize("text, triple", CASES, ids=[c[1][1] + ":" + c[1][0][:20] for c in CASES])
def test_pattern_gives_the_triple(pipeline, text, triple):
    found, _ = relations(pipeline, text)
    assert triple in found, found


def test_each_relation_carries_its_sentence(pipeline):
    text = "Background\n\nSome context first. In 2018 accountable care systems were renamed integrated care systems. More later."
    _, extraction = relations(pipeline, text)
    (relation,) = extraction.relations
    assert (
        text[relation.start : relation.end] == "In 2018 accountable care systems were renamed integrated care systems."
    )


@pytest.mark.parametrize(
    "text",
    [
        "NHS England and accountable care organisations were both discussed.",
        "The Five Year Forward View and NHS England are mentioned together.",
        "Changes to section 75 agreements support the development of accountable care organisations.",
    ],
)
def test_no_relation_without_a_statement(pipeline, text):
    found, _ = relations(pipeline, text)
    assert not found


def test_a_rule_needs_words_its_pattern_holds(pipeline):
    """``needs`` in relations.toml: a rule is tried only on a sentence holding one of them, so each is in its pattern."""
    for rule in pipeline.relations.rules:
        if rule.needs is None:
            continue
        words = rule.needs.pattern.split("|")
        assert any(word.lower() in rule.regex.pattern.lower() for word in words), rule.name
        assert rule.needs.flags & 2  # re.IGNORECASE, as the rule's own pattern


def test_a_rule_is_not_tried_without_its_words(pipeline):
    with_word, without = (
        "Vanguard sites developing into MCPs.",
        "Vanguard sites developing towards MCPs.",
    )
    rule = next(r for r in pipeline.relations.rules if r.name == "evolution-of-into")
    assert rule.needs.search(with_word) and not rule.needs.search(without)


def test_the_noun_points_back_to_a_body_whose_name_ends_in_it(pipeline):
    # "partnership" names a care model in anaphora.toml; this partnership is a body, named by its head noun
    text = (
        "Riverside Health and Care Partnership runs community services. "
        "The partnership replaced the Riverside System Resilience Group in 2022."
    )
    assert (
        "riverside-health-and-care-partnership",
        "supersedes",
        "riverside-system-resilience-group",
    ) in relations(pipeline, text)[0]
    # a name that holds the noun but does not end in it is not such a body ("Partnership Arrangements ...")
    text = (
        "The NHS Bodies and Local Authorities Partnership Arrangements Regulations 2000 set the rules. "
        "The partnership replaced the Riverside System Resilience Group in 2022."
    )
    assert not [t for t in relations(pipeline, text)[0] if t[1] == "supersedes"]


def test_some_of_them_stand_for_the_things_named_before(pipeline):
    text = (
        "Sustainability and transformation partnerships were set up in 2016. "
        "Many of them later became integrated care systems."
    )
    found = relations(pipeline, text)[0]
    assert ("sustainability-and-transformation-partnership", "evolvesInto", "integrated-care-system") in found
    # without a verb after it, "Many of them" is no subject ("Many of them, though, ...")
    text = "Sustainability and transformation partnerships were set up in 2016. Many of them: integrated care systems."
    assert not relations(pipeline, text)[0]


ANAPHORS = [
    # a pronoun passes over a sentence with no subject of its own
    (
        "Integrated care boards are statutory bodies. There are 42 of them, one for each integrated care system. "
        "They were created by the Health and Care Act 2022.",
        ("integrated-care-board", "introducedBy", "health-and-care-act-2022"),
        ("integrated-care-system", "introducedBy", "health-and-care-act-2022"),
    ),
    # "those groups", "the board" point back
    (
        "Clinical commissioning groups began in 2013. Those groups had themselves replaced primary care trusts.",
        ("clinical-commissioning-group", "supersedes", "primary-care-trust"),
        None,
    ),
    (
        "An integrated care board plans most services. The board replaced the clinical commissioning group.",
        ("integrated-care-board", "supersedes", "clinical-commissioning-group"),
        None,
    ),
    # "the latter" and "the former" choose within the last pair joined by "and", not the names since
    (
        "Hospitals are run by NHS trusts and NHS foundation trusts; "
        "the latter were introduced by the Health and Social Care (Community Health and Standards) Act 2003.",
        ("nhs-foundation-trust", "introducedBy", "health-and-social-care-community-health-and-standards-act-2003"),
        ("nhs-trust", "introducedBy", "health-and-social-care-community-health-and-standards-act-2003"),
    ),
    (
        "Monitor and the NHS Trust Development Authority were separate. The former regulated NHS foundation "
        "trusts; in 2016 the latter became part of NHS Improvement.",
        ("nhs-trust-development-authority", "partOf", "nhs-improvement"),
        ("nhs-foundation-trust", "partOf", "nhs-improvement"),
    ),
]


@pytest.mark.parametrize("text, wanted, unwanted", ANAPHORS, ids=[t[:40] for t, _, _ in ANAPHORS])
def test_anaphors_stand_for_what_they_point_back_to(pipeline, text, wanted, unwanted):
    found = relations(pipeline, text)[0]
    assert wanted in found, sorted(found)
    assert unwanted not in found


def test_a_body_supersedes_a_kind_of_body_named_with_its_place(pipeline):
    # the board is one body (found by its name); the groups are a kind of body, with a number and a place
    text = "NHS Northshire Integrated Care Board took over the functions of the ten Northshire CCGs in July 2022."
    found = relations(pipeline, text)[0]
    assert ("nhs-northshire-integrated-care-board", "supersedes", "clinical-commissioning-group") in found


@pytest.mark.parametrize(
    "text",
    [
        "Will the new neighbourhood teams replace primary care networks?",
        "Could integrated care boards replace clinical commissioning groups in every area?",
        "Did the NHS Long Term Plan introduce primary care networks?",
    ],
)
def test_a_question_asserts_no_relation(pipeline, text):
    found, _ = relations(pipeline, text)
    assert found == set(), found
    # the same words as a statement give the relation
    statement = text.replace("Could ", "").replace(" in every area?", ".")
    if statement.startswith("integrated"):
        assert ("integrated-care-board", "supersedes", "clinical-commissioning-group") in relations(
            pipeline, statement
        )[0]


def test_an_aside_after_a_list_tells_of_its_last_item(pipeline):
    """cues.toml markers: "A and B, a committee of C" makes B part of C, not A."""
    found, _ = relations(
        pipeline, "Monitor and Healthwatch England, a statutory committee of the Care Quality Commission, spoke."
    )
    assert ("healthwatch-england", "partOf", "care-quality-commission") in found, found
    assert not any(s == "monitor" and p == "partOf" for s, p, _ in found), found
