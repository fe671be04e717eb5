"""At tablet size: a manager reaches the asset register from the indicators overview, sees the fire equipment about
to expire, adds one extinguisher from the form (refused first with the import's own message), uploads a spreadsheet
whose dry run shows the bad row and why (nothing imported), uploads the fixed file and imports it, finds the new
asset in its category, opens its record, corrects it (axe-core clean with data, the form and a defect); then on the
roster adds an on-call shift and puts a technician on it for two nights (axe-core clean)."""

import re
import uuid

from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa import routes
from estate_pwa.core.db import get_engine
from estate_pwa.models import Asset, DutyAssignment, Estate, Role, Shift
from estate_pwa.services.demo import DEMO_CODE
from tests.e2e.conftest import NO_SERVICE_WORKER, fits_width, login, screenshot, staff_account
from tests.e2e.test_accessibility import audit, blocking

TABLET = {"width": 820, "height": 1180}
HEADER = "code,category,subkind,name,location,building,quantity,grade,expires_on,contractor,note\n"


def _csv(tag: str, area: str) -> bytes:
    return (HEADER + f"E2E-{tag}-1,road,road,测试路 {tag},东区,,{area},,,,\n"
            f"E2E-{tag}-2,well,rain_well,测试雨水井 {tag},东区,,1,,,,\n").encode()


def test_a_manager_imports_a_spreadsheet_after_its_dry_run(browser, app):
    tag = uuid.uuid4().hex[:6]
    number, password = staff_account(app.db_url, Role.MANAGER, name="台账经理")
    context = browser.new_context(viewport=TABLET, has_touch=True, base_url=app.url, **NO_SERVICE_WORKER)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login(page, number, password, routes.MANAGER)
        page.get_by_role("link", name="设施台账").click()
        page.wait_for_url(f"**{routes.MANAGER_FACILITIES}")
        expect(page.get_by_text("消防器材即将到期")).to_be_visible()
        expect(page.locator("[data-category=fire_equipment]")).to_be_visible()

        page.get_by_text("登记新资产").click()
        form = page.locator("#add-asset")
        form.get_by_label("编号", exact=True).fill(f"E2E-{tag}-3")
        form.get_by_label("名称", exact=True).fill(f"测试灭火器 {tag}")
        form.get_by_label("类别", exact=True).click()
        page.get_by_role("option", name="消防设施设备").click()
        # the server answers the category with its kinds and the fields it asks for (the expiry): the kinds list
        # is rebuilt then, and a list opened before would close with it
        expect(form.get_by_label("有效期至")).to_be_visible()
        form.get_by_label("子类", exact=True).click()
        page.get_by_role("option", name="灭火器").click()
        form.get_by_label("有效期至").fill("2027-06-30")
        form.get_by_label("数量(m²、米或件数)").fill("-1")
        form.get_by_role("button", name="登记").click()
        expect(form.get_by_text("数量(面积、长度或件数)须大于 0")).to_be_visible()
        form.get_by_label("数量(m²、米或件数)").fill("1")
        form.get_by_role("button", name="登记").click()
        expect(page.get_by_text(f"已登记资产 E2E-{tag}-3")).to_be_visible()

        upload = page.locator("#asset-import input[type=file]")
        upload.set_input_files(files=[{"name": f"台账-{tag}.csv", "mimeType": "text/csv",
                                       "buffer": _csv(tag, "-120")}])
        summary = page.locator("#dry-run-summary")
        expect(summary).to_contain_text("1 行可导入,1 行不合格")
        expect(page.get_by_role("cell", name="数量(面积、长度或件数)须大于 0")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("导入 1 项"))).to_be_disabled()
        screenshot(page, "facilities-dry-run")

        upload.set_input_files(files=[{"name": f"台账-{tag}.csv", "mimeType": "text/csv",
                                       "buffer": _csv(tag, "1250.5")}])
        expect(summary).to_contain_text("2 行可导入,0 行不合格")
        page.get_by_role("button", name="导入 2 项").click()
        expect(page.get_by_text("已导入 2 项资产")).to_be_visible()
        assert fits_width(page)

        page.locator("[data-category=road]").click()
        row = page.get_by_role("link", name=re.compile(f"E2E-{tag}-1"))
        expect(row).to_be_visible()
        expect(row).to_contain_text("1,250.5 m²")
        row.click()
        page.wait_for_url(re.compile(r"/facilities/asset/?\?id=\d+"))
        expect(page.get_by_role("heading", name=re.compile(f"E2E-{tag}-1"))).to_be_visible()
        page.get_by_label("说明(可不填)").fill("路面坑洼")
        page.get_by_role("button", name="登记缺陷").click()
        expect(page.get_by_text("路面坑洼")).to_be_visible()
        expect(page.get_by_role("button", name="已修复,恢复完好")).to_be_visible()
        page.get_by_text("修改资料").click()
        edit = page.locator("#edit-asset")
        expect(edit.get_by_label("数量(m²、米或件数)")).to_have_value("1250.5")
        edit.get_by_label("名称", exact=True).fill(f"测试大道 {tag}")
        edit.get_by_label("数量(m²、米或件数)").fill("1300")
        edit.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已保存")).to_be_visible()
        expect(page.get_by_role("heading", name=re.compile(f"测试大道 {tag}"))).to_be_visible()
        expect(page.get_by_text("1,300 m²")).to_be_visible()
        page.wait_for_timeout(400)
        screenshot(page, "facilities-asset-corrected")
        found = audit(page, "manager /facilities/asset with a defect and the form")
        assert not blocking(found), "\n".join(blocking(found))

        page.goto(routes.MANAGER_ROSTER)
        page.get_by_text("新增值班班次").click()
        page.get_by_label("班次名称").fill(f"值班{tag}")
        page.get_by_role("button", name="新增班次").click()
        expect(page.get_by_text("已新增值班班次")).to_be_visible()
        page.get_by_text("安排水电维修值班").click()
        on_call = page.locator("#put-on-call")
        on_call.get_by_label("维修工").click()
        page.get_by_role("option", name="陈师傅").click()
        on_call.get_by_label("值班班次").click()
        page.get_by_role("option", name=f"值班{tag} 20:00–08:00").click()
        on_call.get_by_label("天数(1–31)").fill("2")
        on_call.get_by_role("button", name="安排待命值班").click()
        expect(page.get_by_text("已安排 2 天值班")).to_be_visible()
        # a shift added by mistake is removed; the one just staffed stays
        page.get_by_label("班次名称").fill(f"错班{tag}")
        page.get_by_role("button", name="新增班次").click()
        expect(page.get_by_text("已新增值班班次")).to_be_visible()
        page.locator("#on-call-shifts summary").click()
        page.get_by_role("button", name=f"删除值班班次 错班{tag} 20:00–08:00").click()
        expect(page.get_by_text("已删除值班班次")).to_be_visible()
        expect(page.get_by_test_id("on-call-shift").filter(has_text=f"错班{tag}")).to_have_count(0)
        page.get_by_role("button", name=f"删除值班班次 值班{tag} 20:00–08:00").click()
        expect(page.get_by_text("该班次已有人值班,不能删除")).to_be_visible()
        screenshot(page, "roster-on-call")
        found = audit(page, "manager /manager/roster with the on-call forms")
        assert not blocking(found), "\n".join(blocking(found))
    finally:
        context.close()
    with Session(get_engine(app.db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        made = session.exec(select(Asset).where(Asset.estate_id == estate_id,
                                                Asset.code.like(f"E2E-{tag}-%"))).all()
        assert sorted((a.category, str(a.quantity), a.name) for a in made) == [
            ("fire_equipment", "1.00", f"测试灭火器 {tag}"), ("road", "1300.00", f"测试大道 {tag}"),
            ("well", "1.00", f"测试雨水井 {tag}")]
        night = session.exec(select(Shift).where(Shift.estate_id == estate_id, Shift.name == f"值班{tag}")).one()
        assert night.on_call and len(session.exec(select(DutyAssignment).where(
            DutyAssignment.shift_id == night.id, DutyAssignment.role == "technician")).all()) == 2
