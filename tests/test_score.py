"""kg.score on hand-written gold / prediction pairs; every expected figure is worked out by hand
in the comment next to it (p = tp / pred, r = tp / gold, f1 = 2pr / (p + r), 4 places)."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.score import (TYPES, format_report, main, normalize, parse_map, parse_options, parse_types, read_records,
                      same_value, score, score_files)


def _paper(pid="p1", entities=(), roles=(), claims=()):
    return {"id": pid, "title": "T", "abstract": "A", "entities": list(entities), "roles": list(roles),
            "claims": list(claims)}


def _ent(text, type_, group=None):
    return {"text": text, "type": type_} if group is None else {"text": text, "type": type_, "group": group}


def _prf(result):
    return result["p"], result["r"], result["f1"], result["tp"], result["pred"], result["gold"]


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# ------------------------------------------------------------------------ names and values


@pytest.mark.parametrize("text, key", [("GSM-8K", "gsm8k"), ("gsm8k", "gsm8k"), ("Pass@1", "pass1"),
                                       ("ROUGE_L", "rougel"), ("  ", ""), (None, "")])
def test_normalize_keeps_case_folded_letters_and_digits(text, key):
    assert normalize(text) == key


def test_same_value_within_a_millionth_of_the_predicted_value():
    assert same_value(68.3, 68.3000001)      # |diff| 1e-7 <= 1e-6 * 68.3
    assert not same_value(68.3, 68.31)
    assert same_value("12", 12.0)            # numbers written as strings still compare
    assert not same_value(None, 0) and not same_value("n/a", 1)


# ------------------------------------------------------------------------ entities


def test_entities_per_type_and_overall():
    gold = {"p1": _paper(entities=[_ent("GSM8K", "Dataset"), _ent("GRPO", "Method"), _ent("accuracy", "Metric")])}
    pred = {"p1": _paper(entities=[_ent("gsm-8k", "Dataset"), _ent("GRPO", "Model"), _ent("Accuracy", "Metric"),
                                   _ent("BLEU", "Metric"), _ent("GSM8K", "Dataset")])}  # a repeat counts once
    result = score(gold, pred)
    # tp: gsm8k/Dataset, accuracy/Metric = 2; pred 4 distinct pairs; gold 3
    # p = 2/4 = 0.5, r = 2/3 = 0.6667, f1 = 2 * 0.5 * 0.6667 / 1.1667 = 0.5714
    assert _prf(result["entities"]) == (0.5, 0.6667, 0.5714, 2, 4, 3)
    by_type = result["entities_by_type"]
    assert list(by_type) == list(TYPES)
    assert _prf(by_type["Dataset"]) == (1.0, 1.0, 1.0, 1, 1, 1)
    assert _prf(by_type["Method"]) == (0.0, 0.0, 0.0, 0, 0, 1)   # predicted nothing, gold has one
    assert _prf(by_type["Model"]) == (0.0, 0.0, 0.0, 0, 1, 0)    # predicted one, gold has none
    assert _prf(by_type["Metric"]) == (0.5, 1.0, 0.6667, 1, 2, 1)  # f1 = 2 * 0.5 / 1.5
    assert _prf(by_type["Task"]) == (1.0, 1.0, 1.0, 0, 0, 0)     # nothing on either side scores 1.0


def test_missing_and_unknown_papers():
    gold = {"p1": _paper("p1", entities=[_ent("GSM8K", "Dataset")]),
            "p2": _paper("p2", entities=[_ent("MATH", "Dataset")])}
    pred = {"p1": _paper("p1", entities=[_ent("GSM8K", "Dataset")]),
            "x9": _paper("x9", entities=[_ent("MATH", "Dataset")])}  # not a gold paper: ignored
    result = score(gold, pred)
    assert (result["papers"], result["papers_predicted"], result["unknown_ids"]) == (2, 1, 1)
    assert _prf(result["entities"]) == (1.0, 0.5, 0.6667, 1, 1, 2)  # p2 counts as predicting nothing


# ------------------------------------------------------------------------ roles and links

GOLD_ROLES = _paper(
    entities=[_ent("GRPO", "Method", 0), _ent("feedback-conditional policy", "Method", 1), _ent("FCP", "Method", 1)],
    roles=[{"role": "proposes", "group": 1}, {"role": "uses_method", "group": 0}],
)


def test_roles_need_the_same_label_and_a_shared_name_links_only_the_name():
    pred = _paper(roles=[{"role": "uses_method", "text": "FCP"},    # right entity, wrong role
                         {"role": "uses_method", "text": "grpo"}])  # matches gold uses_method GRPO
    result = score({"p1": GOLD_ROLES}, {"p1": pred})
    assert _prf(result["roles"]) == (0.5, 0.5, 0.5, 1, 2, 2)
    assert _prf(result["links"]) == (1.0, 1.0, 1.0, 2, 2, 2)  # role-blind: FCP and GRPO both found


def test_roles_match_one_to_one_and_by_any_alias():
    pred = _paper(entities=[_ent("FCP", "Method", 7)],
                  roles=[{"role": "proposes", "group": 7},                            # via the abbreviation
                         {"role": "proposes", "text": "Feedback-Conditional Policy"},  # same gold role, used up
                         {"role": "proposes", "text": "PPO"}])                         # not in the gold
    result = score({"p1": GOLD_ROLES}, {"p1": pred})
    # roles: tp 1 of pred 3, gold 2 -> p 0.3333, r 0.5, f1 = 2 * 0.3333 * 0.5 / 0.8333 = 0.4
    assert _prf(result["roles"]) == (0.3333, 0.5, 0.4, 1, 3, 2)
    # links: the two FCP entries share no name ('fcp' vs 'feedbackconditionalpolicy'), so pred keeps 3;
    # only one can take the gold FCP group: tp 1 -> p 0.3333, r 0.5, f1 0.4
    assert _prf(result["links"]) == (0.3333, 0.5, 0.4, 1, 3, 2)


def test_links_keep_one_entry_per_entity():
    pred = _paper(roles=[{"role": "proposes", "text": "FCP"}, {"role": "uses_method", "text": "fcp"}])
    result = score({"p1": GOLD_ROLES}, {"p1": pred})
    assert _prf(result["roles"]) == (0.5, 0.5, 0.5, 1, 2, 2)      # proposes FCP matches, uses_method fcp does not
    assert _prf(result["links"]) == (1.0, 0.5, 0.6667, 1, 1, 2)   # the two entries name one entity


def test_a_role_naming_no_entity_is_not_counted():
    pred = _paper(roles=[{"role": "proposes", "group": 3}, {"role": "proposes", "text": ""}])
    result = score({"p1": GOLD_ROLES}, {"p1": pred})
    assert _prf(result["roles"]) == (0.0, 0.0, 0.0, 0, 0, 2)


# ------------------------------------------------------------------------ dataset usage


def test_dataset_usage_counts_datasets_with_a_usage_role_once():
    gold = _paper(entities=[_ent("GSM8K", "Dataset", 0), _ent("MATH", "Dataset", 1), _ent("math reasoning", "Task", 2)],
                  roles=[{"role": "evaluates_on", "group": 0}, {"role": "uses_dataset", "group": 0},
                         {"role": "evaluates_on", "group": 1}, {"role": "addresses", "group": 2}])
    pred = _paper(entities=[_ent("GSM8K", "Dataset"), _ent("MATH", "Method")],
                  roles=[{"role": "proposes", "text": "GSM8K"},        # any usage role will do
                         {"role": "evaluates_on", "text": "MATH"}])   # MATH is no Dataset in the prediction
    result = score({"p1": gold}, {"p1": pred})
    # gold usage: GSM8K (two roles, one entity), MATH = 2; pred usage: GSM8K = 1; tp 1
    assert _prf(result["dataset_usage"]) == (1.0, 0.5, 0.6667, 1, 1, 2)


# ------------------------------------------------------------------------ claims


def test_claims_match_on_value_and_dataset_with_gold_aliases():
    gold = _paper(
        entities=[_ent("FCP", "Method", 1), _ent("feedback-conditional policy", "Method", 1),
                  _ent("GSM8K", "Dataset", 0), _ent("BIRD", "Dataset", 2)],
        claims=[{"value": 68.3, "unit": "%", "kind": "score", "subject": "Reasoning-Table", "dataset": "BIRD"},
                {"value": 12, "unit": "points", "kind": "improvement", "subject": "FCP", "dataset": "GSM8K"},
                {"value": 3.5, "unit": "x", "kind": "score", "subject": None, "dataset": None}])
    pred = _paper(claims=[
        {"value": 68.3, "subject": "reasoning table", "dataset": "bird"},   # match, subjects agree
        {"value": 12.0, "subject": "FCP", "dataset": "MATH"},              # wrong dataset: no match
        {"value": 12.0, "subject": "feedback-conditional policy", "dataset": "GSM-8K"},  # match, alias agrees
        {"value": 3.5000001, "subject": "X", "dataset": "AIME"},           # gold has no dataset: match, subject not
    ])
    result = score({"p1": gold}, {"p1": pred})
    # tp 3, pred 4, gold 3 -> p 0.75, r 1.0, f1 = 1.5 / 1.75 = 0.8571; subjects agree on 2 of 3
    assert _prf(result["claims"]) == (0.75, 1.0, 0.8571, 3, 4, 3)
    assert result["claim_subject_agreement"] == 0.6667


def test_claim_subject_agreement_is_null_without_matched_claims():
    gold = _paper(claims=[{"value": 1.0, "dataset": None}])
    result = score({"p1": gold}, {"p1": _paper(claims=[{"value": 2.0, "dataset": None}])})
    assert _prf(result["claims"]) == (0.0, 0.0, 0.0, 0, 1, 1)
    assert result["claim_subject_agreement"] is None


def test_claims_without_subjects_on_both_sides_agree():
    gold = _paper(claims=[{"value": 5, "dataset": "MMLU", "subject": None}])
    pred = _paper(claims=[{"value": 5, "dataset": "mmlu", "subject": ""}])
    result = score({"p1": gold}, {"p1": pred})
    assert _prf(result["claims"]) == (1.0, 1.0, 1.0, 1, 1, 1)
    assert result["claim_subject_agreement"] == 1.0


def test_claim_fields_agreement_counts_matched_claims_whose_gold_states_the_field():
    gold = _paper(entities=[_ent("word error rate", "Metric", 0), _ent("WER", "Metric", 0)], claims=[
        {"value": 6.1, "dataset": None, "kind": "score", "quantity": "word error rate", "baseline": 7.9},
        {"value": 35, "dataset": None, "kind": "improvement", "quantity": "latency", "direction": "decrease"},
        {"value": 9, "dataset": None, "kind": "score"}])
    pred = _paper(claims=[
        {"value": 6.1, "kind": "score", "quantity": "WER", "baseline": 7.9},          # alias quantity agrees
        {"value": 35.0, "kind": "score", "quantity": "latency", "direction": None},  # kind, direction disagree
    ])
    assert "claim_fields" not in score({"p1": gold}, {"p1": pred})  # off by default: the reference's figures
    result = score({"p1": gold}, {"p1": pred}, claim_fields=True)
    fields = result["claim_fields"]
    assert fields["kind"] == {"agreement": 0.5, "agree": 1, "stated": 2}
    assert fields["quantity"] == {"agreement": 1.0, "agree": 2, "stated": 2}
    assert fields["direction"] == {"agreement": 0.0, "agree": 0, "stated": 1}
    assert fields["baseline"] == {"agreement": 1.0, "agree": 1, "stated": 1}
    assert "claim quantity agreement: 1.0 (2/2 matched claims)" in format_report(result)


def test_claim_fields_absent_for_a_guidelines_only_gold():
    gold = _paper(claims=[{"value": 5, "dataset": None, "kind": "score", "subject": None}])
    result = score({"p1": gold}, {"p1": _paper(claims=[{"value": 5, "kind": "improvement"}])}, claim_fields=True)
    assert "claim_fields" not in result
    assert "claim kind" not in format_report(result)


# ------------------------------------------------------------------------ files and options


def test_types_and_map_apply_to_both_files(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", [_paper(entities=[_ent("GRPO", "Method"), _ent("Qwen3", "Model"),
                                                             _ent("GSM8K", "Dataset")])])
    pred = _write(tmp_path / "pred.jsonl", [_paper(entities=[_ent("GRPO", "Method"), _ent("Qwen3", "Method"),
                                                             _ent("MATH", "Dataset")])])
    plain = score_files(gold, pred)
    assert _prf(plain["entities"]) == (0.3333, 0.3333, 0.3333, 1, 3, 3)   # only GRPO/Method matches
    mapped = score_files(gold, pred, mapping={"Model": "Method"})
    assert _prf(mapped["entities"]) == (0.6667, 0.6667, 0.6667, 2, 3, 3)  # Qwen3 is a Method on both sides
    typed = score_files(gold, pred, types={"Method"}, mapping={"Model": "Method"})
    assert _prf(typed["entities"]) == (1.0, 1.0, 1.0, 2, 2, 2)            # the datasets are dropped
    assert _prf(typed["entities_by_type"]["Dataset"]) == (1.0, 1.0, 1.0, 0, 0, 0)


def test_read_records_keys_by_string_id_and_keeps_the_last_repeat(tmp_path):
    path = _write(tmp_path / "x.jsonl", [{"id": 7, "entities": []}, {"id": "7", "entities": [_ent("A", "Task")]}])
    assert list(read_records(path)) == ["7"]
    assert read_records(path)["7"]["entities"] == [_ent("A", "Task")]


@pytest.mark.parametrize("content, message", [
    ('{"id": "a"}\n{broken\n', r"x\.jsonl:2: not JSON"),
    ('{"title": "no id"}\n', r"x\.jsonl:1: record has no id"),
    ('[1, 2]\n', r"x\.jsonl:1: not a JSON object"),
])
def test_read_records_reports_the_bad_line(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_records(path)


def test_options_parse_and_reject_unknown_types():
    assert parse_types("Dataset, Task") == {"Dataset", "Task"}
    assert parse_map("Model=Method,Material=Dataset") == {"Model": "Method", "Material": "Dataset"}
    assert parse_options(["--types", "Task", "--map", "Model=Method"]) == ({"Task"}, {"Model": "Method"})
    assert parse_options([]) == (None, None)
    with pytest.raises(InputError, match="Datset"):
        parse_types("Datset")
    with pytest.raises(InputError, match="--map"):
        parse_map("Model")
    with pytest.raises(InputError, match="unrecognized arguments"):
        parse_options(["--typo"])


# ------------------------------------------------------------------------ output


def test_format_report_layout():
    gold = {"p1": _paper(entities=[_ent("GSM8K", "Dataset")], claims=[{"value": 1, "dataset": None}])}
    pred = {"p1": _paper(entities=[_ent("GSM8K", "Dataset"), _ent("BLEU", "Metric")],
                         claims=[{"value": 1, "dataset": None}])}
    expected = (
        "papers: 1 gold, 1 predicted, 0 unknown ids\n"
        "                            P      R     F1     tp   pred   gold\n"
        "entities                0.500  1.000  0.667      1      2      1\n"
        "  Dataset               1.000  1.000  1.000      1      1      1\n"
        "  Model                 1.000  1.000  1.000      0      0      0\n"
        "  Method                1.000  1.000  1.000      0      0      0\n"
        "  Metric                0.000  0.000  0.000      0      1      0\n"
        "  Task                  1.000  1.000  1.000      0      0      0\n"
        "roles                   1.000  1.000  1.000      0      0      0\n"
        "links (role-blind)      1.000  1.000  1.000      0      0      0\n"
        "dataset usage           1.000  1.000  1.000      0      0      0\n"
        "claims                  1.000  1.000  1.000      1      1      1\n"
        "claim subject agreement: 1.0\n"
    )
    assert format_report(score(gold, pred)) == expected


def test_main_prints_the_json_object(tmp_path, capsys):
    gold = _write(tmp_path / "gold.jsonl", [_paper(entities=[_ent("GSM8K", "Dataset")])])
    pred = _write(tmp_path / "pred.jsonl", [_paper(entities=[_ent("gsm8k", "Dataset"), _ent("MMLU", "Dataset")])])
    assert main([str(gold), str(pred), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["papers", "papers_predicted", "unknown_ids", "entities", "entities_by_type", "roles",
                         "links", "dataset_usage", "claims", "claim_subject_agreement"]
    assert _prf(out["entities"]) == (0.5, 1.0, 0.6667, 1, 2, 1)


def test_main_reports_a_missing_file_in_one_line(tmp_path, capsys):
    gold = _write(tmp_path / "gold.jsonl", [_paper()])
    assert main([str(gold), str(tmp_path / "nope.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope.jsonl: no such file" in err and err.count("\n") == 1
