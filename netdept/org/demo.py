"""Demo data: the information department (信息科/网络部) of a city hospital.

Built from the hospital regulations of the seed (医院网络部管理制度: 网络运维组, 系统开发组,
网络安全组 and the departments they serve). Everything is created through the services, so the
audit trail records it like any other change. Loading is idempotent: objects are looked up by
their codes, employee numbers and usernames, and only what is missing is created.

Apps above the organisation add their own demo data with ``register_demo_loader(fn)`` (work
orders: categories, SLA policies and orders in every state, ``netdept.workorders.demo``). The
data is *replayed*: the organisation is set up four weeks before now and every later change
runs through the services at its own instant of the past (``replayed_clock``), in the order
of time, so the audit trail, the SLA clocks, breaches and ratings are what the services made.

There is no default password: one random password is generated per data directory, kept in
``<DATA_DIR>/demo-password.txt`` (mode 0600) and shared by all demo accounts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from netdept.core import context
from netdept.core.services import service_for
from netdept.org.models import Department, DepartmentKind, Person, Position, Role, Team
from netdept.org.roles import sync_builtin_roles
from netdept.org.services import (
    AccountService,
    DepartmentService,
    PersonService,
    RoleAssignmentService,
    TeamService,
)
from netdept.workcal.schedule import default_calendar

PASSWORD_FILE = "demo-password.txt"
DEMO_URL = "http://127.0.0.1:8000"

ROOT = ("RMYY", "某市人民医院")
NETWORK = ("XXK", "信息科/网络部")
SERVED = [
    ("NK", "内科"),
    ("WK", "外科"),
    ("CWK", "财务科"),
    ("HLB", "护理部"),
    ("JYK", "检验科"),
]

TEAMS = {
    "网络运维组": (
        "负责医院信息系统的日常维护和运维工作，包括服务器、网络设备、数据库和应用系统的管理。"
    ),
    "系统开发组": (
        "负责医院信息系统的开发、维护和升级，包括需求分析、系统设计、代码编写和功能测试。"
    ),
    "网络安全组": (
        "负责医院信息系统的安全管理，包括安全防护、漏洞修复、安全策略制定和安全事件响应。"
    ),
}

POSITIONS = {
    "主任": (
        "1. 统筹和协调网络部工作，制定医院网络与信息化的发展规划和目标，并定期评估和调整；\n"
        "2. 组织制定网络规划、系统建设和安全管理的年度工作计划，报医院信息化建设领导小组批准；\n"
        "3. 审批重大变更、采购与人员配置计划，组织人员考核与绩效评定；\n"
        "4. 负责与医院其他科室的沟通协作，定期向院领导汇报工作。"
    ),
    "组长": (
        "1. 按部门计划分解并分配本组工作，跟踪进度，检查组员的工作日志与值班记录；\n"
        "2. 按优先级受理和调度工单，对超时或重大问题及时向主任报告；\n"
        "3. 组织本组的技术培训与经验交流，提出本组人员考核意见；\n"
        "4. 审核本组的变更方案、巡检记录和备份记录。"
    ),
    "网络运维工程师": (
        "1. 负责服务器、网络设备、数据库和应用系统的日常维护与巡检；\n"
        "2. 受理其他科室和用户的网络问题工单，进行问题排查、诊断和故障处理；\n"
        "3. 对网络设备进行日常监控，及时发现并解决潜在问题；\n"
        "4. 定期备份关键设备的配置并进行恢复测试，确保备份完整可用；\n"
        "5. 负责网络设备的选购建议、安装、调试，更新设备台账。"
    ),
    "系统开发工程师": (
        "1. 负责医院信息系统的需求分析、系统设计、代码编写和功能测试；\n"
        "2. 按照需求收集、方案设计、开发、测试调试、上线运行和维护的流程开展工作；\n"
        "3. 负责系统的升级与缺陷修复，编写并归档技术文档；\n"
        "4. 配合制定数据备份与恢复方案，确保重要数据安全可靠。"
    ),
    "网络安全工程师": (
        "1. 负责网络安全防护，定期进行安全检测、漏洞扫描和漏洞修复；\n"
        "2. 参与制定并落实安全策略，管理用户权限；\n"
        "3. 负责安全事件的监测、报告和应急响应，组织应急演练；\n"
        "4. 开展全院员工的信息安全意识培训和宣传教育。"
    ),
}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    employee_no: str
    department: str  # department code
    role: str  # built-in role code
    team: str | None = None
    position: str | None = None
    leads: str | None = None  # team this person leads


PEOPLE = [
    DemoPerson("director", "王建国", "XX001", "XXK", "director", position="主任"),
    DemoPerson(
        "liuqiang", "刘强", "XX002", "XXK", "team_lead", "网络运维组", "组长", leads="网络运维组"
    ),
    DemoPerson(
        "chenjing", "陈静", "XX003", "XXK", "team_lead", "系统开发组", "组长", leads="系统开发组"
    ),
    DemoPerson(
        "zhaolei", "赵磊", "XX004", "XXK", "team_lead", "网络安全组", "组长", leads="网络安全组"
    ),
    DemoPerson("zhangwei", "张伟", "XX005", "XXK", "engineer", "网络运维组", "网络运维工程师"),
    DemoPerson("lina", "李娜", "XX006", "XXK", "engineer", "网络运维组", "网络运维工程师"),
    DemoPerson("wangfang", "王芳", "XX007", "XXK", "engineer", "系统开发组", "系统开发工程师"),
    DemoPerson("sunhao", "孙浩", "XX008", "XXK", "engineer", "系统开发组", "系统开发工程师"),
    DemoPerson("zhoumin", "周敏", "XX009", "XXK", "engineer", "网络安全组", "网络安全工程师"),
    DemoPerson("sysadmin", "吴涛", "XX010", "XXK", "sysadmin"),
    DemoPerson("secadmin", "郑洁", "XX011", "XXK", "secadmin"),
    DemoPerson("auditor", "冯丽", "RM001", "RMYY", "auditor"),
    DemoPerson("huangli", "黄丽", "NK001", "NK", "requester"),
    DemoPerson("xuming", "徐明", "WK001", "WK", "requester"),
    DemoPerson("heyan", "何艳", "CW001", "CWK", "requester"),
    DemoPerson("chenzq", "陈志强", "NK002", "NK", "requester"),  # head of 内科 (HEADS)
]
#: department heads (approvals follow the org chart); 外科 has none: its go to the director
HEADS = {"XXK": "director", "NK": "chenzq"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str  # role name, e.g. 主任


@dataclass(frozen=True)
class DemoResult:
    password: str
    password_file: Path
    logins: list[DemoLogin]
    created: int  # objects created by this run (0 when everything existed already)


@dataclass
class DemoWorld:
    """What a registered demo loader gets: the demo's people by username, the real now, and
    ``at(instant)``, which sets the replayed clock (``timezone.now()``) to that past instant."""

    people: dict[str, Person]
    now: dt.datetime
    at: Callable[[dt.datetime], None]


#: ``fn(world) -> number of objects created``; called in registration order after the
#: organisation is loaded, inside the same transaction (``register_demo_loader``).
DemoLoader = Callable[[DemoWorld], int]
DEMO_LOADERS: list[DemoLoader] = []
#: Loaders that replay nothing of the past and act at the real now: run after the others (the
#: replayed clock never goes back, so a loader that moved it to now first would push every
#: later loader's past into the present).
LATE_LOADERS: list[DemoLoader] = []

ONE_MICROSECOND = dt.timedelta(microseconds=1)
#: How long before now the demo organisation was set up (its orders come later).
FOUNDED_DAYS_AGO = 28


def register_demo_loader(loader: DemoLoader, *, late: bool = False) -> None:
    """Add ``loader`` to the demo (an app above org calls this in its ``ready()``); ``late``:
    after the loaders that replay the past (its objects are of the last days)."""
    target = LATE_LOADERS if late else DEMO_LOADERS
    if loader not in DEMO_LOADERS and loader not in LATE_LOADERS:
        target.append(loader)


@contextlib.contextmanager
def replayed_clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Replay the demo's past: ``timezone.now()`` answers the instant last given to the
    yielded ``at(instant)`` plus the real time elapsed since, and the real now again when the
    block ends. The clock never goes back: an instant earlier than one already answered
    continues from that one (two events of the same minute keep their order).

    Only ``netdept demo`` uses it, in its own process before any server or worker starts; the
    services, the SLA engine and the audit trail read their clock from ``timezone.now()``.
    """
    real_now = timezone.now
    state: dict[str, Any] = {"at": None, "since": 0.0, "last": None}

    def now() -> dt.datetime:
        at = state["at"]
        if at is None:
            return real_now()
        answer = at + dt.timedelta(seconds=time.monotonic() - state["since"])
        state["last"] = answer
        return answer

    def at(instant: dt.datetime) -> None:
        last = state["last"]
        start = instant if last is None or instant > last else last + ONE_MICROSECOND
        state["at"], state["since"] = start, time.monotonic()

    timezone.now = now  # the replay (see the docstring)
    try:
        yield at
    finally:
        timezone.now = real_now


# --- the password ---------------------------------------------------------------------------

_SYMBOLS = "-_.!@#%+="
_ALPHABET = string.ascii_letters + string.digits + _SYMBOLS


def generate_password(length: int = 20) -> str:
    """A random password with lower and upper case letters, digits and a symbol."""
    while True:
        pw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.isdigit() for c in pw)
            and any(c in _SYMBOLS for c in pw)
        ):
            return pw


def password_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir or settings.DATA_DIR) / PASSWORD_FILE


def ensure_password(path: Path) -> tuple[str, bool]:
    """The demo password kept in ``path``; generated (mode 0600) if missing. (password, new)"""
    if path.exists():
        pw = path.read_text().strip()
        if pw:
            return pw, False
        path.unlink()
    pw = generate_password()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(pw + "\n")
    return pw, True


# --- loading --------------------------------------------------------------------------------


class _Loader:
    def __init__(self, password: str, reset_passwords: bool) -> None:
        self.password = password
        self.reset_passwords = reset_passwords
        self.created = 0

    def department(self, code: str, name: str, kind: str, parent: Department | None) -> Department:
        found = Department.objects.filter(code=code).first()
        if found:
            return found
        self.created += 1
        return DepartmentService().create(
            None, {"code": code, "name": name, "kind": kind, "parent": parent}, check=False
        )

    def team(self, department: Department, name: str, description: str) -> Team:
        found = Team.objects.filter(department=department, name=name).first()
        if found:
            return found
        self.created += 1
        return TeamService().create(
            None,
            {"department": department, "name": name, "description": description},
            check=False,
        )

    def position(self, department: Department, name: str, text: str) -> Position:
        found = Position.objects.filter(department=department, name=name).first()
        if found:
            return found
        self.created += 1
        return service_for(Position).create(
            None,
            {"department": department, "name": name, "responsibilities": text},
            check=False,
        )

    def account(self, spec: DemoPerson) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            if self.reset_passwords:
                AccountService().update(None, user, {"password": self.password}, check=False)
            return user
        candidate = User(username=spec.username, first_name=spec.name)
        try:
            password_validation.validate_password(self.password, candidate)
        except ValidationError as exc:
            raise ValidationError(
                f"The demo password does not satisfy the password policy: {' '.join(exc.messages)}"
                f" (delete {PASSWORD_FILE} from the data directory to generate a new one)."
            ) from exc
        self.created += 1
        return AccountService().create(
            None,
            {
                "username": spec.username,
                "first_name": spec.name,
                "email": f"{spec.username}@hospital.example",
                "is_active": True,
                "password": self.password,
            },
            check=False,
        )

    def role(self, user: Any, code: str) -> Role:
        role = Role.objects.get(code=code)
        if not user.role_assignments.filter(role=role).exists():
            self.created += 1
            RoleAssignmentService().create(None, {"user": user, "role": role}, check=False)
        return role

    def person(
        self,
        spec: DemoPerson,
        user: Any,
        departments: dict[str, Department],
        teams: dict[str, Team],
        positions: dict[str, Position],
    ) -> Person:
        found = Person.objects.filter(employee_no=spec.employee_no).first()
        if found:
            return found
        self.created += 1
        department = departments[spec.department]
        return PersonService().create(
            None,
            {
                "name": spec.name,
                "employee_no": spec.employee_no,
                "user": user,
                "department": department,
                "team": teams.get(spec.team) if spec.team else None,
                "position": positions.get(spec.position) if spec.position else None,
                "email": f"{spec.username}@hospital.example",
                "phone": demo_phone(spec),
            },
            check=False,
        )


def demo_phone(spec: DemoPerson) -> str:
    """A made-up mobile number per demo person (the phone desk finds callers by it)."""
    return f"1380571{PEOPLE.index(spec) + 1:04d}"


def load(data_dir: Path | None = None) -> DemoResult:
    """Create the demo hospital (what is missing of it) and return the logins."""
    path = password_path(data_dir)
    password, new_password = ensure_password(path)
    if not Role.objects.filter(code="director").exists():
        sync_builtin_roles()
    loader = _Loader(password, reset_passwords=new_password)
    logins: list[DemoLogin] = []
    now = timezone.now()
    with (
        context.acting(None, None, "command"),
        transaction.atomic(),
        replayed_clock() as at,
    ):
        at(now - dt.timedelta(days=FOUNDED_DAYS_AGO))
        root = loader.department(ROOT[0], ROOT[1], DepartmentKind.SERVED, None)
        network = loader.department(NETWORK[0], NETWORK[1], DepartmentKind.NETWORK, root)
        departments = {ROOT[0]: root, NETWORK[0]: network}
        for code, name in SERVED:
            departments[code] = loader.department(code, name, DepartmentKind.SERVED, root)
        teams = {name: loader.team(network, name, text) for name, text in TEAMS.items()}
        positions = {name: loader.position(network, name, text) for name, text in POSITIONS.items()}
        people: dict[str, Person] = {}
        for spec in PEOPLE:
            user = loader.account(spec)
            role = loader.role(user, spec.role)
            people[spec.username] = loader.person(spec, user, departments, teams, positions)
            logins.append(DemoLogin(spec.username, spec.name, str(role.name)))
        director = people["director"]
        for code, username in HEADS.items():
            if departments[code].head_id is None and username in people:
                loader.created += 1
                head = {"head": people[username]}
                DepartmentService().update(None, departments[code], head, check=False)
        for spec in PEOPLE:
            if spec.leads:
                team = teams[spec.leads]
                if team.lead_id is None:
                    loader.created += 1
                    TeamService().update(None, team, {"lead": people[spec.username]}, check=False)
            person = people[spec.username]
            if spec.department == NETWORK[0] and person != director and person.manager_id is None:
                lead = next(
                    (people[p.username] for p in PEOPLE if p.leads and p.leads == spec.team),
                    None,
                )
                manager = lead if lead is not None and lead != person else director
                PersonService().update(None, person, {"manager": manager}, check=False)
        default_calendar()  # the standard working calendar (Chinese holidays, 调休)
        world = DemoWorld(people=people, now=now, at=at)
        for demo_loader in [*DEMO_LOADERS, *LATE_LOADERS]:
            loader.created += demo_loader(world)
    return DemoResult(password=password, password_file=path, logins=logins, created=loader.created)


def format_logins(result: DemoResult, url: str = DEMO_URL) -> str:
    lines = [
        f"NetDept demo: {url}",
        f"Password of every demo account: {result.password}",
        f"(kept in {result.password_file})",
        "sysadmin, secadmin and the auditor set up a TOTP authenticator app at first sign-in.",
        "",
    ]
    width = max(len(login.username) for login in result.logins)
    for login in result.logins:
        lines.append(
            f"  {login.username.ljust(width)}  {result.password}  {login.role} {login.name}"
        )
    return "\n".join(lines)
