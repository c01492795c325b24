"""Demo work orders: categories, an SLA policy of a category, and orders in every state.

Registered as a demo loader (``netdept.org.demo.register_demo_loader``, in ``ready()``). The
orders are *replayed*: each is filed and worked through the services (``open_order``,
``accept``, ``wait``, ``resolve``, ``confirm``, ``rate``…) by the demo's people at its own
instant of the past, in the order of time, so the audit trail, the SLA clocks, breaches and
ratings are real. The instants are counted back from now on the working calendar, whatever
the time the demo is loaded: some running orders have used 80–90 % of their resolution target
(about to breach), some more than all of it (breached), and the SLA job runs once at the end
(it flags the breaches and sends the warnings, as it would have). Orders are added only to a
database that has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils import timezone

from netdept.core.services import service_for
from netdept.org.demo import DemoWorld
from netdept.org.models import Team
from netdept.workcal.schedule import WorkSchedule, default_calendar
from netdept.workorders import demo_approval, services, sla
from netdept.workorders.models import (
    Category,
    Kind,
    Priority,
    SlaPolicy,
    WaitingOn,
    WorkOrder,
)

# (parent, name, kind, team, description); a parent is listed before its children.
CATEGORIES: list[tuple[str | None, str, str, str, str]] = [
    (None, "网络与通信", "", "网络运维组", "有线、无线网络与电话。"),
    ("网络与通信", "有线网络", Kind.FAULT, "网络运维组", "网络不通、网速慢、网口损坏。"),
    ("网络与通信", "无线网络", Kind.FAULT, "网络运维组", "病区 Wi-Fi、移动护理终端掉线。"),
    ("网络与通信", "网络开通与移机", Kind.SERVICE, "网络运维组", "新增信息点、科室搬迁。"),
    (None, "终端与外设", "", "网络运维组", "电脑、打印机、扫码枪等终端设备。"),
    ("终端与外设", "电脑故障", Kind.FAULT, "网络运维组", "无法开机、蓝屏、运行缓慢。"),
    ("终端与外设", "打印机", Kind.FAULT, "网络运维组", "卡纸、无法打印、腕带与标签打印。"),
    (None, "业务系统", "", "系统开发组", "医院信息系统的各个子系统。"),
    ("业务系统", "HIS 系统", Kind.FAULT, "系统开发组", "挂号、收费、医嘱、药房。"),
    ("业务系统", "电子病历", Kind.FAULT, "系统开发组", "病历书写、签名、归档。"),
    ("业务系统", "LIS 检验系统", Kind.FAULT, "系统开发组", "检验申请、条码、结果回传。"),
    ("业务系统", "账号与权限", Kind.SERVICE, "系统开发组", "开通、停用账号，调整系统权限。"),
    ("业务系统", "报表与数据", Kind.SERVICE, "系统开发组", "统计报表、数据导出需求。"),
    (None, "信息安全", "", "网络安全组", "病毒、安全事件与安全咨询。"),
    ("信息安全", "病毒与安全事件", Kind.FAULT, "网络安全组", "病毒告警、可疑邮件、U 盘管控。"),
    ("信息安全", "安全咨询", Kind.CONSULTATION, "网络安全组", "安全使用与合规问题。"),
    (None, "客服部线索", Kind.LEAD, "网络运维组", "客服部转来的线索：登记号回填后解决。"),
]

#: A category of its own SLA: HIS faults stop the wards, so they are answered faster.
HIS_POLICY = ("HIS 系统故障 P2", "HIS 系统", Priority.P2, 30, 4 * 60)


@dataclass
class Step:
    """One action on an order: ``when`` is working minutes after it was filed."""

    when: int
    who: str  # username
    action: str  # a service function of netdept.workorders.services
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """One demo order: who filed it, when, and what happened to it since."""

    key: str
    opened: dt.datetime
    requester: str
    category: str
    title: str
    description: str = ""
    impact: int = 2
    urgency: int = 2
    location: str = ""
    filed_by: str | None = None  # the desk filed it for a caller (by phone)
    steps: list[Step] = field(default_factory=list)


class _Clock:
    """Instants of the demo's past, counted on the working calendar."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.schedule = WorkSchedule(default_calendar())

    def used(self, share: float, minutes: int) -> dt.datetime:
        """When an order filed then, with a target of ``minutes``, has used ``share`` of it."""
        return self.schedule.add(self.now, -dt.timedelta(minutes=round(share * minutes)))

    def working_ago(self, minutes: int) -> dt.datetime:
        return self.schedule.add(self.now, -dt.timedelta(minutes=minutes))

    def day(self, working_days_ago: int, hour: int, minute: int) -> dt.datetime:
        """``hour:minute`` (local time) of the working day that many working days ago."""
        today = timezone.localdate(self.now)
        day = self.schedule.add_working_days(today, -working_days_ago)
        naive = dt.datetime.combine(day, dt.time(hour, minute))
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def after(self, start: dt.datetime, working_minutes: int) -> dt.datetime:
        return self.schedule.add(start, dt.timedelta(minutes=working_minutes))


def _fix(w: int, by: str, text: str, minutes: int = 30) -> list[Step]:
    """Work recorded, then resolved, ``w`` working minutes after filing."""
    return [
        Step(w - 5, by, "add_work_record", {"description": text, "minutes": minutes}),
        Step(w, by, "resolve", {"solution": text}),
    ]


def _accepted(by: str, at: int = 10) -> list[Step]:
    return [Step(at, by, "accept"), Step(at + 5, by, "start")]


def _closed(by: str, requester: str, w: int, text: str, stars: int, comment: str) -> list[Step]:
    """Accepted, fixed ``w`` working minutes after filing, confirmed and rated next day."""
    return [
        *_accepted(by),
        *_fix(w, by, text),
        Step(w + 8 * 60, requester, "confirm"),
        Step(w + 8 * 60 + 2, requester, "rate", {"rating": stars, "comment": comment}),
    ]


P2_RES, P3_RES = 8 * 60, 24 * 60
HIS_RES = HIS_POLICY[4]  # HIS faults of P2 have their own policy


def stories(c: _Clock) -> list[Story]:
    """The demo's orders (impact + urgency give the priority: 1+1 → P1, 1+2 → P2, 2+2 → P3)."""
    s: list[Story] = []

    # --- closed and rated, over the last three weeks ----------------------------------------
    history = [
        (
            14,
            "huangli",
            "打印机",
            "护士站打印机卡纸，无法打印输液单",
            "zhangwei",
            5,
            "很快就修好了",
        ),
        (13, "xuming", "电脑故障", "手术室电脑开机蓝屏", "lina", 4, ""),
        (12, "heyan", "HIS 系统", "收费窗口无法打印发票", "wangfang", 5, "响应及时"),
        (11, "huangli", "无线网络", "内科三病区 Wi-Fi 信号弱", "zhangwei", 4, "信号好多了"),
        (10, "xuming", "账号与权限", "新入职医生开通 HIS 账号", "sunhao", 5, ""),
        (9, "heyan", "报表与数据", "月度收费统计报表导出", "wangfang", 3, "报表格式还需调整"),
        (8, "huangli", "电子病历", "电子病历无法保存", "sunhao", 5, "解决得很彻底"),
        (7, "xuming", "有线网络", "医生办公室网口不通", "lina", 4, ""),
        (6, "heyan", "病毒与安全事件", "电脑提示发现病毒", "zhoumin", 5, "讲解很耐心"),
        (5, "huangli", "LIS 检验系统", "检验结果未回传到医生站", "wangfang", 4, ""),
        (4, "xuming", "打印机", "腕带打印机打印模糊", "zhangwei", 5, ""),
        (3, "heyan", "电脑故障", "财务电脑运行缓慢", "lina", 4, "速度正常了"),
    ]
    for n, (days, who, cat, title, eng, stars, remark) in enumerate(history):
        s.append(
            Story(
                f"history-{n}",
                c.day(days, 9 + n % 6, 10 + 3 * n),
                who,
                cat,
                title,
                "请尽快处理，影响日常工作。",
                steps=_closed(
                    eng, who, 90 + 20 * (n % 4), "已排查并修复，测试正常。", stars, remark
                ),
            )
        )
    # Resolved late (the resolution target missed), rated low.
    s.append(
        Story(
            "late-closed",
            c.day(10, 9, 40),
            "heyan",
            "HIS 系统",
            "医保结算接口频繁超时",
            "医保结算时经常超时，患者排队。",
            impact=1,
            urgency=2,
            steps=[
                *_accepted("sunhao", 20),
                Step(60, "sunhao", "note", {"body": "与医保中心联系，对方接口升级中。"}),
                *_fix(P2_RES + 180, "sunhao", "医保中心接口升级完成，调整超时参数后恢复。", 120),
                Step(P2_RES + 180 + 300, "heyan", "confirm"),
                Step(P2_RES + 480, "heyan", "rate", {"rating": 2, "comment": "处理时间太长"}),
            ],
        )
    )
    # Closed without resolution: a duplicate merged into another order.
    s.append(
        Story(
            "merged-main",
            c.day(6, 14, 5),
            "huangli",
            "有线网络",
            "内科二病区整层断网",
            "护士站和医生办公室都连不上网。",
            impact=1,
            urgency=1,
            location="内科住院楼 5 层",
            steps=[
                *_accepted("zhangwei", 5),
                Step(40, "zhangwei", "comment", {"body": "交换机电源故障，已更换，请测试。"}),
                *_fix(60, "zhangwei", "更换 5 层汇聚交换机电源模块。", 45),
                Step(60 + 240, "huangli", "confirm"),
                Step(60 + 245, "huangli", "rate", {"rating": 5, "comment": "处理迅速"}),
            ],
        )
    )
    s.append(
        Story(
            "merged-dup",
            c.after(c.day(6, 14, 5), 10),
            "xuming",
            "有线网络",
            "内科病区网络中断",
            "",
            impact=1,
            urgency=1,
            filed_by="lina",
            steps=[Step(15, "liuqiang", "merge_into", {"into": "@merged-main"})],
        )
    )

    # --- resolved, waiting for the requester to confirm and rate -----------------------------
    s.append(
        Story(
            "resolved-1",
            c.day(2, 10, 15),
            "huangli",
            "电脑故障",
            "护士站电脑无法登录域账号",
            "提示信任关系失败。",
            steps=[*_accepted("lina"), *_fix(70, "lina", "重新加入域，已可正常登录。")],
        )
    )
    s.append(
        Story(
            "resolved-2",
            c.day(1, 15, 20),
            "xuming",
            "网络开通与移机",
            "新增两个网络信息点",
            "外科示教室需要两个网口。",
            impact=3,
            urgency=3,
            location="外科楼 3 层示教室",
            steps=[*_accepted("zhangwei", 30), *_fix(300, "zhangwei", "已布线并开通两个信息点。")],
        )
    )
    s.append(
        Story(
            "resolved-3",
            c.day(1, 9, 5),
            "heyan",
            "安全咨询",
            "外来 U 盘能否在财务电脑使用",
            "",
            impact=3,
            urgency=3,
            steps=[
                *_accepted("zhoumin", 20),
                *_fix(40, "zhoumin", "外来 U 盘须先在信息科杀毒登记；已发使用规范。"),
            ],
        )
    )
    # Reopened: the fix did not hold.
    s.append(
        Story(
            "reopened",
            c.day(3, 9, 30),
            "huangli",
            "打印机",
            "标签打印机打印偏移",
            "检验标签打印位置不对。",
            steps=[
                *_accepted("zhangwei"),
                *_fix(60, "zhangwei", "重新校准打印机。"),
                Step(8 * 60, "huangli", "reopen", {"reason": "今天又出现偏移。"}),
                Step(8 * 60 + 30, "zhangwei", "comment", {"body": "下午过去更换打印头。"}),
            ],
        )
    )

    # --- running: new, accepted, in progress, waiting ----------------------------------------
    s.append(
        Story(
            "new-1",
            c.working_ago(25),
            "xuming",
            "电脑故障",
            "门诊诊室电脑无法识别读卡器",
            "医保卡读卡器插上无反应。",
            location="门诊楼 2 层 6 诊室",
        )
    )
    s.append(
        Story(
            "new-2",
            c.working_ago(50),
            "heyan",
            "报表与数据",
            "需要导出上季度退费明细",
            "",
            impact=3,
            urgency=3,
        )
    )
    s.append(
        Story(
            "new-phone",
            c.working_ago(15),
            "huangli",
            "无线网络",
            "移动护理 PDA 频繁掉线",
            "电话报修：内科一病区 PDA 扫码时掉线。",
            location="内科住院楼 3 层",
            filed_by="zhangwei",
        )
    )
    s.append(
        Story(
            "accepted-1",
            c.working_ago(90),
            "huangli",
            "电子病历",
            "电子病历签名按钮灰色",
            "",
            steps=[Step(20, "sunhao", "accept")],
        )
    )
    s.append(
        Story(
            "progress-1",
            c.working_ago(200),
            "xuming",
            "HIS 系统",
            "药房发药界面卡顿",
            "高峰期点击发药要等十几秒。",
            impact=2,
            urgency=1,
            steps=[
                *_accepted("wangfang", 15),
                Step(60, "wangfang", "note", {"body": "怀疑数据库锁等待，正在抓取慢查询。"}),
                Step(
                    90,
                    "wangfang",
                    "add_work_record",
                    {"description": "分析慢查询日志", "minutes": 40},
                ),
            ],
        )
    )
    s.append(
        Story(
            "progress-2",
            c.working_ago(120),
            "heyan",
            "账号与权限",
            "新员工开通财务系统权限",
            "",
            impact=3,
            urgency=2,
            steps=[*_accepted("sunhao", 30)],
        )
    )
    s.append(
        Story(
            "transferred",
            c.working_ago(150),
            "huangli",
            "电脑故障",
            "电脑弹出勒索软件提示",
            "屏幕显示文件被加密。",
            impact=1,
            urgency=2,
            steps=[
                Step(10, "liuqiang", "transfer", {"team": "@网络安全组", "reason": "疑似安全事件"}),
                *_accepted("zhoumin", 20),
                Step(40, "zhoumin", "comment", {"body": "请先拔掉网线，不要关机，我们马上到。"}),
            ],
        )
    )
    s.append(
        Story(
            "waiting-requester",
            c.working_ago(300),
            "xuming",
            "LIS 检验系统",
            "检验条码打印重复",
            "",
            steps=[
                *_accepted("wangfang", 20),
                Step(
                    60,
                    "wangfang",
                    "wait",
                    {"on": WaitingOn.REQUESTER, "reason": "请提供重复条码的截图和标本号。"},
                ),
            ],
        )
    )
    s.append(
        Story(
            "waiting-vendor",
            c.day(4, 10, 0),
            "heyan",
            "电脑故障",
            "财务专用电脑主板故障",
            "",
            impact=3,
            urgency=2,
            steps=[
                *_accepted("lina", 30),
                Step(
                    90,
                    "lina",
                    "wait",
                    {"on": WaitingOn.VENDOR, "reason": "已报厂商保修，等待配件。"},
                ),
            ],
        )
    )
    s.append(
        Story(
            "lead-1",
            c.working_ago(400),
            "heyan",
            "客服部线索",
            "客服部转来：某社区医院咨询互联网医院接入",
            "联系人：李主任，电话已在客服部登记。",
            impact=3,
            urgency=3,
            steps=[*_accepted("zhangwei", 60)],
        )
    )

    # --- about to breach: 80–90 % of the resolution target used ------------------------------
    s.append(
        Story(
            "breaching-1",
            c.used(0.85, P3_RES),
            "huangli",
            "有线网络",
            "护士站网络时断时续",
            "每隔十几分钟断一次。",
            steps=[
                *_accepted("zhangwei", 30),
                Step(120, "zhangwei", "comment", {"body": "已更换网线，继续观察。"}),
            ],
        )
    )
    s.append(
        Story(
            "breaching-2",
            c.used(0.88, HIS_RES),
            "xuming",
            "HIS 系统",
            "住院医嘱无法提交",
            "外科二病区医嘱提交报错。",
            impact=1,
            urgency=2,
            steps=[*_accepted("sunhao", 10)],
        )
    )
    s.append(
        Story(
            "breaching-3",
            c.used(0.8, P3_RES),
            "heyan",
            "打印机",
            "发票打印机缺纸报警后无法恢复",
            "",
            steps=[
                Step(45, "liuqiang", "assign", {"assignee": "lina"}),
                *_accepted("lina", 60),
            ],
        )
    )

    # --- breached ---------------------------------------------------------------------------
    s.append(
        Story(
            "breached-p1",
            c.working_ago(75),
            "huangli",
            "HIS 系统",
            "急诊挂号系统无法登录",
            "急诊挂号窗口全部无法登录，患者积压。",
            impact=1,
            urgency=1,
            location="急诊楼 1 层挂号处",
        )
    )
    s.append(
        Story(
            "breached-p2",
            c.used(1.3, P2_RES),
            "xuming",
            "无线网络",
            "手术室平板无法连接无线网络",
            "",
            impact=1,
            urgency=2,
            steps=[
                *_accepted("lina", 25),
                Step(
                    90,
                    "lina",
                    "add_work_record",
                    {"description": "更换 AP 后仍不稳定", "minutes": 60},
                ),
            ],
        )
    )
    s.append(
        Story(
            "breached-p3",
            c.used(1.6, P3_RES),
            "heyan",
            "报表与数据",
            "年度预算报表数据不一致",
            "两张报表的合计金额对不上。",
            steps=[*_accepted("wangfang", 60)],
        )
    )
    return s


class _Player:
    """Runs the stories' events in the order of time, each at its instant."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world
        self.users = {u: p.user for u, p in world.people.items() if p.user_id}
        self.orders: dict[str, WorkOrder] = {}
        self.categories = {c.name: c for c in Category.objects.all()}
        self.teams = {t.name: t for t in Team.objects.all()}

    def _value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            name = value[1:]
            if name in self.orders:
                return self.orders[name].number
            return self.teams[name]
        return value

    def open(self, story: Story) -> None:
        requester = self.world.people[story.requester]
        data = {
            "title": story.title,
            "description": story.description,
            "category": self.categories[story.category],
            "kind": self.categories[story.category].kind or Kind.FAULT,
            "impact": story.impact,
            "urgency": story.urgency,
            "location": story.location,
            "contact": requester.phone or "",
        }
        if story.filed_by:
            actor = self.users[story.filed_by]
            order = services.open_order(actor, data, on_behalf_of=requester)
        else:
            order = services.open_order(self.users[story.requester], data)
        self.orders[story.key] = order

    def step(self, story: Story, step: Step) -> None:
        order = self.orders[story.key]
        args = {k: self._value(v) for k, v in step.args.items()}
        if "assignee" in args:
            args["assignee"] = self.world.people[args["assignee"]]
        func: Callable[..., Any] = getattr(services, step.action)
        func(self.users[step.who], order, **args)


def _categories() -> int:
    created = 0
    teams = {t.name: t for t in Team.objects.all()}
    found = {(c.parent.name if c.parent else None, c.name): c for c in Category.objects.all()}
    service = service_for(Category)
    for parent, name, kind, team, text in CATEGORIES:
        if (parent, name) in found:
            continue
        parent_obj = next((c for (p, n), c in found.items() if n == parent and p is None), None)
        found[(parent, name)] = service.create(
            None,
            {
                "name": name,
                "kind": kind,
                "parent": parent_obj,
                "default_team": teams.get(team),
                "description": text,
                "is_active": True,
            },
            check=False,
        )
        created += 1
    name, category, priority, response, resolution = HIS_POLICY
    if not SlaPolicy.objects.filter(name=name).exists():
        service_for(SlaPolicy).create(
            None,
            {
                "name": name,
                "priority": priority,
                "category": Category.objects.get(name=category),
                "response_minutes": response,
                "resolution_minutes": resolution,
                "warn_percent": 75,
                "is_active": True,
            },
            check=False,
        )
        created += 1
    return created


def load(world: DemoWorld) -> int:
    """The demo loader: categories, SLA policies, then the orders (only into an empty table)."""
    world.at(world.now - dt.timedelta(days=21))
    services.ensure_defaults()  # the priority matrix and SLA policies, if migrate did not
    created = _categories()
    created += demo_approval.rules_and_categories()  # 账号开通, 设备采购 and their rules
    if WorkOrder.objects.exists() or not {"huangli", "zhangwei"} <= set(world.people):
        return created
    clock = _Clock(world.now)
    player = _Player(world)
    events: list[tuple[dt.datetime, int, Callable[[], None]]] = []
    for n, story in enumerate(stories(clock)):
        events.append((story.opened, n, partial(player.open, story)))
        for step in story.steps:
            at = clock.after(story.opened, step.when)
            events.append((at, n, partial(player.step, story, step)))
    waiting = demo_approval.events(world)  # orders waiting for the head, the director
    events.extend((at, len(events) + i, run) for i, (at, run) in enumerate(waiting))
    events.sort(key=lambda e: (e[0], e[1]))
    for at, _n, run in events:
        world.at(min(at, world.now - dt.timedelta(minutes=1)))
        run()
    world.at(world.now)
    sla.check_all(world.now)  # the SLA job, as it would have run: warnings and breaches
    return created + len(player.orders) + len(demo_approval.ORDERS)
