"""What each MCE edit means for a coder, and what to do about it, in plain words.

The CMS titles are in the tables (drg.tables.mce, `EditInfo.title`); these sentences say
why the edit fires and what usually fixes it (docs/MCE_LOGIC.md sections 4 .. 8).
"""
from __future__ import annotations

from types import MappingProxyType

from drg.tables.mce import Edit

EDIT_ADVICE = MappingProxyType({
    Edit.INVALID_CODE: "The code is not a valid ICD-10 code on the discharge date (deleted, not yet valid, "
                       "mistyped, or a principal diagnosis is missing). Correct it to a code valid on that date.",
    Edit.SEX_CONFLICT: "The code is for one sex only and does not match the patient's sex. Check the sex on "
                       "the claim and the code.",
    Edit.AGE_CONFLICT: "The diagnosis is for an age group (newborn, pediatric, maternity or adult) the "
                       "patient's age is outside. Check the age and the code.",
    Edit.QUESTIONABLE_ADMISSION: "This principal diagnosis is not usually a sufficient reason for an inpatient "
                                 "admission. Document why the patient was admitted, or sequence the condition "
                                 "that required it first.",
    Edit.MANIFESTATION_AS_PDX: "A manifestation code cannot be the principal diagnosis. Sequence the underlying "
                               "disease first and code the manifestation as a secondary diagnosis.",
    Edit.NONSPECIFIC_PDX: "The principal diagnosis is non-specific. Code a more specific diagnosis if the record "
                          "supports one.",
    Edit.E_CODE_AS_PDX: "An external-cause code says how an injury happened, not what was treated. Make the "
                        "injury or condition the principal diagnosis and keep this code secondary.",
    Edit.UNACCEPTABLE_PDX: "This code does not by itself justify an inpatient admission (a status, history or "
                           "encounter code). Choose the condition chiefly responsible for the admission as "
                           "principal diagnosis.",
    Edit.DUPLICATE_OF_PDX: "The secondary diagnosis repeats the principal diagnosis. Remove the duplicate.",
    Edit.MEDICARE_IS_SECONDARY_PAYER: "The diagnosis suggests another payer (accident, liability, workers' "
                                      "compensation) may pay first. Check the payer order.",
    Edit.REQUIRES_SDX: "This principal diagnosis is acceptable only with a secondary diagnosis that says why the "
                       "patient came. Add it.",
    Edit.NONSPECIFIC_OR: "The only operating-room procedure is non-specific. Code a more specific procedure if "
                         "the record supports one.",
    Edit.OPEN_BIOPSY: "An open biopsy was coded. Check that the biopsy was open and not closed (percutaneous or "
                      "endoscopic).",
    Edit.NON_COVERED: "Medicare does not cover this procedure, always or in the circumstances coded (for example "
                      "a pancreas transplant without a kidney transplant or type 1 diabetes). Check the codes; "
                      "the claim will not be paid for it as coded.",
    Edit.BILATERAL: "Two different bilateral joint procedures with a musculoskeletal principal diagnosis. Check "
                    "whether both were performed.",
    Edit.LIMITED_COVERAGE: "Medicare covers this procedure only under a national coverage determination (organ "
                           "transplants, heart assist devices). The claim is reviewed: make sure the coverage "
                           "criteria are documented.",
    Edit.QUESTIONABLE_OBSTETRIC_ADMISSION: "A delivery procedure was coded without an outcome-of-delivery code "
                                           "(Z37.-). Add the outcome of delivery as a secondary diagnosis.",
    Edit.INVALID_ADMIT_DX: "The admitting diagnosis is not a valid ICD-10 code on the discharge date. Correct it "
                           "(it does not change the edit type).",
    Edit.INVALID_AGE: "The age is not a whole number of years from 0 to 124. Correct the age.",
    Edit.INVALID_SEX: "The sex is not valid for the discharge date (before 1 October 2024 it must be male or "
                      "female). Correct the sex.",
    Edit.INVALID_DISCHARGE_STATUS: "The patient discharge status is not a valid UB-04 code on the discharge "
                                   "date. Correct the discharge status.",
    Edit.WRONG_PROCEDURE_PERFORMED: "A code says surgery was performed on the wrong patient, the wrong site or "
                                    "was the wrong procedure. The claim needs review before billing.",
    Edit.INCONSISTENT_WITH_LENGTH_OF_STAY: "Ventilation for more than 96 consecutive hours cannot fit a stay "
                                           "of under 5 days. Check the length of stay and the ventilation "
                                           "code (5A1945Z is 24-96 hours).",
    Edit.UNSPECIFIED: "An unspecified code where a more specific one exists (often the side, left or right, is "
                      "missing). Code the specific condition if the record supports it.",
})

_ORGAN = ("Medicare covers this transplant or implant only under its national coverage determination. "
          "The claim is reviewed: make sure the coverage criteria are documented.")


def advice_for(edit: Edit) -> str:
    """What to do about an edit, in a coder's words."""
    if edit in EDIT_ADVICE:
        return EDIT_ADVICE[edit]
    if edit.value.startswith("LIMITED_COVERAGE_"):
        return _ORGAN
    return "This edit is defined by the MCE but never raised."
