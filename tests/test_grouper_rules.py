"""One test per rule family, from the worked examples of docs/GROUPER_LOGIC.md section 18
(each verified there against the CMS grouper, version 43.1 unless stated)."""
from __future__ import annotations


from drg.claim import Claim, Diagnosis
from drg.grouper import group_claim
from drg.tables.formula import And, Atom, Not, Or, parse
from drg.tables import load


def make(pdx, sdx=(), procedures=(), status=1, sex="M", hospital="NON_EXEMPT", version=431):
    sdx = tuple(Diagnosis(*s) if isinstance(s, tuple) else Diagnosis(s, "Y") for s in sdx)
    return group_claim(Claim(id="t", version=version, age=60, sex=sex, discharge_status=status,
                             hospital_status=hospital, pdx=None if pdx is None else Diagnosis(pdx, "Y"),
                             sdx=sdx, procedures=tuple(procedures)), load(version))


def sdx_of(result, code):
    return next(d for d in result.sdx if d.code == code)


def proc_of(result, code):
    return next(p for p in result.procedures if p.code == code)


# --- formula language (section 7) -----------------------------------------------------

def test_parser_precedence_and_prefixes():
    tree = parse("A | B & ~PDX:c", 431)
    assert isinstance(tree, Or)
    assert tree.operands[0] == Atom("NONE", "A", None)
    second = tree.operands[1]
    assert isinstance(second, And) and isinstance(second.operands[1], Not)
    assert second.operands[1].operand == Atom("PDX", "c", None)


def test_special_operands_are_case_insensitive_only_from_420():
    assert parse("multst", 431).special == "MULTST"
    assert parse("multst", 411).special is None
    assert parse("SDX:incident", 400).special == "incident"


# --- medical DRGs, severity, CC exclusion (18.1, 18.2) ---------------------------------

def test_medical_drg_with_mcc():
    r = make("J189", ["J9601", "I10"])
    assert ((r.final_drg, r.final_base_drg, r.final_mdc, r.final_severity, r.final_med_surg)
            == (193, 193, 4, "MCC", "MEDICAL"))
    assert sdx_of(r, "J9601").affects_drg == "BOTH" and sdx_of(r, "I10").affects_drg == "NONE"
    assert r.pdx.affects_drg == "BOTH"


def test_mcc_excluded_by_principal_diagnosis():
    r = make("I5021", ["I5023", "E119"])
    assert (r.final_drg, r.final_base_drg, r.final_severity) == (293, 291, "NON_CC")
    assert sdx_of(r, "I5023").final_severity_usage == "MCC_EXCLUDED"
    r = make("I5021", ["I5023", "N179"])
    assert r.final_drg == 292 and sdx_of(r, "N179").affects_drg == "BOTH"


# --- unrelated O.R. procedures and surgical hierarchy (18.3) ---------------------------

def test_unrelated_or_procedure_reports_principal_mdc():
    r = make("J189", ["N179"], ["0DTJ4ZZ"])
    assert ((r.final_drg, r.final_base_drg, r.final_mdc, r.final_med_surg, r.final_severity)
            == (982, 981, 4, "SURGICAL", "CC"))
    assert make("J189", [], ["0FT44ZZ"]).final_drg == 989


def test_related_or_procedure_takes_the_surgical_drg():
    r = make("K3580", [], ["0FT44ZZ", "0DTJ4ZZ"])
    assert r.final_drg == 399 and r.final_mdc == 6
    assert proc_of(r, "0DTJ4ZZ").affects_drg == "BOTH" and proc_of(r, "0FT44ZZ").affects_drg == "NONE"


# --- pre-MDC (18.4) --------------------------------------------------------------------

def test_pre_mdc_tracheostomy_reports_principal_mdc():
    r = make("J9601", ["I10"], ["0B110F4", "5A1955Z"])
    assert (r.final_drg, r.final_mdc, r.final_med_surg) == (4, 4, "SURGICAL")
    assert proc_of(r, "0B110F4").is_or and not proc_of(r, "5A1955Z").is_or
    assert make("J189", [], ["5A1955Z", "0B110F4", "0DTJ4ZZ"]).final_drg == 3


# --- discharge status (18.5, 18.9) -----------------------------------------------------

def test_died_and_alive_ami():
    assert (make("I214", ["E871"], status=20).final_drg, make("I214", ["E871"], status=1).final_drg) == (284, 281)


def test_mcc_only_if_alive_is_death_excluded():
    r = make("J189", ["R570"], status=20)
    assert r.final_drg == 195 and sdx_of(r, "R570").final_severity_usage == "NEITHER"
    assert make("J189", ["R570"], status=1).final_drg == 193


def test_newborn_died_or_transferred():
    assert make("P0710", status=20).final_drg == 789
    assert make("P0710", status=2).final_drg == 789


def test_invalid_discharge_status_only_matters_where_formulas_test_it():
    r = make("I214", ["E871"], status=0)
    assert ((r.final_drg, r.final_mdc, r.final_return_code, r.initial_return_code)
            == (999, 0, "INVALID_DISCHARGE_STATUS", "INVALID_DISCHARGE_STATUS"))
    assert make("J189", ["E871"], status=0).final_drg == 194


# --- HAC (18.6, 18.12, 18.13) ----------------------------------------------------------

def test_hac_not_poa_lowers_final_drg():
    r = make("J189", [("S14136A", "N"), ("I10", "Y")])
    assert (r.initial_drg, r.final_drg, r.hac_status, r.hac_categories) == (193, 195, "FINAL_DRG_CHANGES", 1)
    d = sdx_of(r, "S14136A")
    assert ((d.affects_drg, d.initial_severity_usage, d.final_severity_usage, d.poa_error)
            == ("BOTH", "MCC", "NEITHER", "POA_RECOGNIZED_NOT_POA"))
    assert [(h.hac_number, h.hac_usage, h.hac_list) for h in d.hacs] == [(5, "HAC_CRITERIA_MET", "HAC05")]


def test_hac_exempt_hospital_and_poa_yes():
    r = make("J189", [("S14136A", "N"), ("I10", "Y")], hospital="EXEMPT")
    d = sdx_of(r, "S14136A")
    assert r.final_drg == 193 and d.poa_error == "HOSPITAL_EXEMPT" and r.hac_status == "NOT_APPLICABLE"
    assert [(h.hac_number, h.hac_usage) for h in d.hacs] == [(0, "HAC_NOT_APPLICABLE_EXEMPT")]
    r = make("J189", [("S14136A", "Y"), ("I10", "Y")])
    assert r.final_drg == 193
    assert [(h.hac_number, h.hac_usage) for h in sdx_of(r, "S14136A").hacs] == [(0, "HAC_CRITERIA_NOT_MET")]


def test_hac_return_codes():
    r = make("J189", [("S14136A", "N"), ("I10", "Y")], hospital="UNKNOWN")
    assert ((r.initial_drg, r.final_drg, r.final_return_code, r.hac_status)
            == (193, 999, "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W", "FINAL_DRG_UNGROUPABLE"))
    assert make("J189", [("S14136A", "N")], hospital="UNKNOWN").final_return_code == "HAC_STATUS_INVALID_POA_N_OR_U"
    unknown_status = make("J189", [("S14136A", "")], hospital="UNKNOWN")
    assert unknown_status.final_return_code == "HAC_STATUS_INVALID_POA_INVALID_OR_1"
    r = make("J189", [("S14136A", ""), ("I10", "Y")])
    assert r.final_return_code == "HAC_MISSING_ONE_POA" and sdx_of(r, "S14136A").poa_error == "POA_NOT_RECOGNIZED"
    r = make("J189", [("S14136A", "N"), ("I2602", "")])
    assert r.final_return_code == "HAC_MISSING_ONE_POA"
    assert sdx_of(r, "I2602").affects_drg == "INITIAL" and sdx_of(r, "S14136A").affects_drg == "NONE"


def test_hac_with_procedure():
    r = make("M1611", [("I2602", "N"), ("N179", "Y")], ["0SRB0JZ"])
    assert (r.initial_drg, r.final_drg, r.final_severity) == (469, 470, "CC")
    assert proc_of(r, "0SRB0JZ").hac_usage == ("HAC_10",) and proc_of(r, "0SRB0JZ").affects_drg == "BOTH"
    assert sdx_of(r, "I2602").affects_drg == "BOTH" and sdx_of(r, "N179").affects_drg == "NONE"


def test_catheter_uti_owner_and_show_list():
    r = make("J189", [("T83511A", "N"), ("N390", "N")])
    assert (r.initial_drg, r.final_drg) == (194, 195)
    assert sdx_of(r, "T83511A").affects_drg == "FINAL" and sdx_of(r, "N390").affects_drg == "BOTH"
    r = make("J189", [("T83511A", "Y"), ("N390", "N")])
    assert r.final_drg == 194 and r.hac_status == "NOT_APPLICABLE"
    assert [(h.hac_number, h.hac_usage) for h in sdx_of(r, "N390").hacs] == [(0, "HAC_CRITERIA_NOT_MET")]


# --- sex, invalid and external-cause principal diagnosis (18.7, 18.8) ------------------

def test_sex_dependent_mdc():
    r = make("C7982", sex="U")
    assert (r.final_drg, r.final_return_code) == (999, "INVALID_SEX")
    assert (make("C7982", sex="F").final_drg, make("C7982", sex="M").final_drg) == (756, 724)
    assert make("C7982", [], ["02YA0Z0"], sex="U").final_drg == 2


def test_invalid_and_external_cause_principal():
    r = make("XYZ123", ["J9601"])
    assert ((r.final_drg, r.final_return_code, r.pdx.recognized, r.pdx.affects_drg)
            == (999, "INVALID_PDX", False, "NONE"))
    assert make(None, ["J9601"]).final_return_code == "INVALID_PDX"
    assert make("V0001XA").final_return_code == "DX_CANNOT_BE_PDX"


# --- trauma, clusters, transplants (18.10, 18.11) --------------------------------------

def test_multiple_significant_trauma():
    r = make("S065X0A", ["S27312A", "I10"])
    assert (r.final_drg, r.final_base_drg, r.final_mdc, r.final_severity) == (965, 963, 24, "NON_CC")
    assert sdx_of(r, "S27312A").affects_drg == "BOTH"
    assert sdx_of(r, "S27312A").final_severity_usage == "CC_EXCLUDED_BY_DRG_LOGIC"
    assert sdx_of(make("S065X0A", ["S27312A"], version=410), "S27312A").final_severity_usage == "CC"


def test_clusters_and_their_mdc_suppression():
    assert make("N186", [], ["0TY00Z0"]).final_drg == 652
    r = make("T8453XA", [], ["0SPD08Z", "0SRD0JZ"])
    assert r.final_drg == 468 and {p.affects_drg for p in r.procedures} == {"BOTH"}
    assert make("T8453XA", [], ["0SRD0JZ"]).final_drg == 470
    assert make("D3A024", [], ["0DQE0ZZ"]).final_drg == 331
    assert make("D3A024", [], ["0DQE0ZZ", "0WQFXZ2"]).final_drg == 346


# --- marking (18.14-18.17) -------------------------------------------------------------

def test_marking_tie_breaker_picks_first_mcc_by_code():
    r = make("J189", ["N179", "E871", "R6521", "J9601"])
    assert r.final_drg == 193
    assert [d.affects_drg for d in r.sdx] == ["NONE", "NONE", "NONE", "BOTH"]


def test_neonate_with_other_significant_problems():
    r = make("Z3800", ["I10", "E119"])
    assert r.final_drg == 794
    assert (sdx_of(r, "E119").affects_drg, sdx_of(r, "I10").affects_drg) == ("BOTH", "NONE")


def test_bilateral_joint_replacement():
    r = make("M1611", [], ["0SR90JZ", "0SRC0JZ", "0SRB0JZ"])
    assert (r.final_drg, r.final_base_drg) == (462, 461)
    assert [p.affects_drg for p in r.procedures] == ["BOTH", "NONE", "BOTH"]


def test_duplicate_procedure_codes_share_special_marks():
    r = make("M4316", ["N179"], ["0RG63K1", "XRGD3R7", "XRGD3R7"])
    assert r.final_drg == 426
    assert [p.affects_drg for p in r.procedures] == ["BOTH", "BOTH", "FINAL"]
    r = make("M4316", ["N179"], ["XRGD3R7", "0RG63K1", "XRGD3R7"])
    assert [p.affects_drg for p in r.procedures] == ["BOTH", "BOTH", "BOTH"]


def test_output_keeps_claim_order_and_duplicates():
    r = make("J189", ["I10", "J9601", "I10"], ["0FT44ZZ", "0DTJ4ZZ"])
    assert [d.code for d in r.sdx] == ["I10", "J9601", "I10"]
    assert [p.code for p in r.procedures] == ["0FT44ZZ", "0DTJ4ZZ"]
    assert set(r.to_dict()) >= {"id", "version", "initial_drg", "final_drg", "pdx", "sdx", "procedures"}
