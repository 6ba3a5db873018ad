"""Fields added to the parse contract: owners, co_department, suggested_problems."""

from __future__ import annotations

from luoshi.text import Measure, parse_text


def test_owners_split_the_owner_as_written() -> None:
    measure = Measure(group="", summary="", text="", owner="李建华、王志刚，张三/李四；王五")
    assert measure.owner == "李建华、王志刚，张三/李四；王五"
    assert measure.owners == ["李建华", "王志刚", "张三", "李四", "王五"]
    assert Measure(group="", summary="", text="").owners == []
    assert Measure(group="", summary="", text="", owner="赵六").to_dict()["owners"] == ["赵六"]


def test_new_keys_follow_the_original_keys_in_order() -> None:
    keys = list(Measure(group="", summary="", text="").to_dict())
    assert keys == [
        "group",
        "summary",
        "text",
        "problem",
        "owner",
        "department",
        "deadline",
        "deadline_text",
        "commitments",
        "owners",
        "co_department",
        "suggested_problems",
    ]


PLAN = """县水利局巡察反馈问题整改方案
一、存在问题及整改措施
1.河道采砂监管不到位，非法采砂时有发生。
整改措施：开展河道非法采砂专项整治，每月巡查不少于2次。
责任领导：李建华、王志刚
责任单位：水政监察大队
配合单位：县公安局、各乡镇
完成时限：2024年6月底前
"""


def test_plan_fields_owners_and_co_department() -> None:
    (measure,) = parse_text(PLAN).to_dict()["measures"]
    assert measure["problem"] == 0
    assert measure["owner"] == "李建华、王志刚"
    assert measure["owners"] == ["李建华", "王志刚"]
    assert measure["department"] == "水政监察大队"
    assert measure["co_department"] == "县公安局、各乡镇"
    assert measure["deadline"] == "2024-06-30"
    # Linked by the document itself: nothing to suggest.
    assert measure["suggested_problems"] == []


SELF_EXAMINATION = """县交通运输局领导班子对照检查材料
一、存在的问题
（一）服务群众方面。一是农村公路养护不及时，群众反映路面坑洼多年未修。二是客运班线开通审批慢，群众出行不便。
（二）廉洁自律方面。一是公务用车管理不严，个别干部公车私用。
二、整改措施
（一）提升服务水平。1.建立农村公路养护巡查制度，路面坑洼修复不超过15天。2.简化客运班线审批流程，审批时间压缩一半。
（二）从严管理干部。1.加强公务用车管理，严禁公车私用，每季度检查1次。
"""


def test_unlinked_measures_get_suggested_problems_best_first() -> None:
    doc = parse_text(SELF_EXAMINATION).to_dict()
    assert len(doc["problems"]) == 3
    measures = doc["measures"]
    assert [m["problem"] for m in measures] == [None, None, None]
    best = [m["suggested_problems"][0]["problem"] for m in measures]
    assert best == [0, 1, 2]
    for measure in measures:
        scores = [s["score"] for s in measure["suggested_problems"]]
        assert 1 <= len(scores) <= 3
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)
