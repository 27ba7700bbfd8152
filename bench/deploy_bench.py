"""Time ecsops.ecspresso against community.aws deploying the same ECS services.

Prints a table of wall times, AWS calls per service and changed counts for a first run
(which creates everything) and a no-change run, and writes the same figures to
bench/results/latest.json. See bench/README.md.

    .venv/bin/python bench/deploy_bench.py [--services 30] [--runs 3] [--skip-community]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The local AWS lives in the test tree, which is not an installed package.
sys.path.insert(0, str(ROOT))

from tests.localaws import LocalAWS  # noqa: E402
from tests.localaws.seed import apply_seed, load_seed  # noqa: E402

BENCH = ROOT / "bench"
EXAMPLE = ROOT / "examples" / "microservices"
RESULTS = BENCH / "results" / "latest.json"
COMMUNITY_PLAYBOOK = BENCH / "community_aws_deploy.yml"
PROJECT_BIN = ROOT / ".venv" / "bin"
PROJECT_COLLECTIONS = ROOT / ".build" / "collections"
BENCH_VENV = ROOT / ".build" / "bench-venv"
# Written once pip has succeeded, so that an interrupted install is redone next time.
BENCH_VENV_MARKER = BENCH_VENV / ".bench-installed"
BENCH_VENV_PACKAGES = ["ansible", "boto3", "botocore"]

ENV = "dev"
FORKS = 10
PLAYBOOK_TIMEOUT_SECONDS = 900
# The example's three services give the shapes of the generated ones, in turn.
SHAPES = ["auth-service", "user-service", "payment-service"]

CALLS_TARGET_PER_SERVICE = 2.0
WALL_TIME_TARGET_RATIO = 1 / 3

RECAP = re.compile(
    r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE
)


@dataclass
class Scenario:
    """A folder laid out like the example: inventory, services/*/ templates, deploy.yml."""

    name: str
    folder: pathlib.Path
    services: int
    seed: dict[str, Any]


@dataclass
class Tool:
    """How to deploy a scenario with one tool: which ansible-playbook runs which playbook."""

    name: str
    ansible_playbook: pathlib.Path
    playbook: str
    collections_path: pathlib.Path


@dataclass
class Run:
    """One ansible-playbook run: its wall time, the AWS calls it made and what changed."""

    seconds: float
    calls: dict[str, int]
    changed: int

    @property
    def total_calls(self) -> int:
        """All AWS calls of the run."""
        return sum(self.calls.values())


@dataclass
class Measurement:
    """A first run and the no-change runs after it, for one scenario and one tool."""

    scenario: str
    tool: str
    services: int
    first: Run
    no_change: list[Run] = field(default_factory=list)

    def median_seconds(self) -> float:
        """Median wall time of the no-change runs."""
        return statistics.median(run.seconds for run in self.no_change)

    def median_calls_per_service(self) -> float:
        """Median AWS calls per service of the no-change runs."""
        return statistics.median(run.total_calls for run in self.no_change) / self.services

    def median_changed(self) -> float:
        """Median count of changed tasks of the no-change runs."""
        return statistics.median(run.changed for run in self.no_change)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark ecsops.ecspresso against community.aws on a local AWS."
    )
    parser.add_argument(
        "--services", type=int, default=30, help="services of the generated scenario (30)"
    )
    parser.add_argument(
        "--rollout-seconds",
        type=float,
        default=0.5,
        help="how long a deployment takes in the local AWS (0.5)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="no-change runs to repeat; the median is shown (3)"
    )
    parser.add_argument(
        "--skip-community", action="store_true", help="time ecsops.ecspresso alone (quicker)"
    )
    args = parser.parse_args(argv)
    if args.services < 1 or args.runs < 1 or args.rollout_seconds < 0:
        parser.error("--services and --runs must be 1 or more, --rollout-seconds 0 or more")
    return args


def check_project_collection() -> None:
    """Fail early, with the fix, when the collection link that `make venv` makes is missing."""
    link = PROJECT_COLLECTIONS / "ansible_collections" / "ecsops" / "ecspresso"
    if not (link / "galaxy.yml").is_file():
        sys.exit(f"{link} is missing: run `make venv` first")


def ensure_bench_venv() -> None:
    """Create .build/bench-venv with the ansible package (community.aws) unless it is there.

    It is kept apart from .venv because the ansible package brings its own ansible-core and
    a few hundred collections that the project must not depend on.
    """
    if BENCH_VENV_MARKER.is_file():
        return
    print(f"Installing {' '.join(BENCH_VENV_PACKAGES)} into {BENCH_VENV} (once) ...", flush=True)
    if not (BENCH_VENV / "bin" / "python").exists():
        # python -m venv from inside a venv bases the new one on the same interpreter.
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    pip = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    completed = subprocess.run(
        pip + ["--disable-pip-version-check", *BENCH_VENV_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"pip install into {BENCH_VENV} failed:\n{completed.stdout}{completed.stderr}")
    BENCH_VENV_MARKER.write_text("installed by bench/deploy_bench.py\n")


def bench_collections_dir() -> pathlib.Path:
    """The site-packages folder of the bench venv, where the ansible package put its collections."""
    (site_packages,) = BENCH_VENV.glob("lib/python*/site-packages")
    return site_packages


def make_tools(skip_community: bool) -> list[Tool]:
    """The tools to time: ecsops.ecspresso, and community.aws unless skipped."""
    tools = [
        Tool(
            name="ecsops.ecspresso",
            ansible_playbook=PROJECT_BIN / "ansible-playbook",
            playbook="deploy.yml",
            collections_path=PROJECT_COLLECTIONS,
        )
    ]
    if not skip_community:
        tools.append(
            Tool(
                name="community.aws",
                ansible_playbook=BENCH_VENV / "bin" / "ansible-playbook",
                playbook=COMMUNITY_PLAYBOOK.name,
                collections_path=bench_collections_dir(),
            )
        )
    return tools


def collection_versions(skip_community: bool) -> dict[str, str]:
    """Versions of what is compared, for the JSON results."""
    versions = {"ansible-core (.venv)": ansible_core_version(PROJECT_BIN / "ansible-playbook")}
    if not skip_community:
        versions["ansible-core (bench-venv)"] = ansible_core_version(
            BENCH_VENV / "bin" / "ansible-playbook"
        )
        for name in ("community/aws", "amazon/aws"):
            manifest = bench_collections_dir() / "ansible_collections" / name / "MANIFEST.json"
            info = json.loads(manifest.read_text())["collection_info"]
            versions[name.replace("/", ".")] = info["version"]
    return versions


def ansible_core_version(ansible_playbook: pathlib.Path) -> str:
    """The ansible-core version that an ansible-playbook executable runs."""
    completed = subprocess.run(
        [str(ansible_playbook), "--version"], capture_output=True, text=True, check=True
    )
    match = re.search(r"\[core ([^\]]+)\]", completed.stdout)
    return match.group(1) if match else "unknown"


def source_revision() -> dict[str, Any]:
    """The commit measured, and whether the working tree differed from it."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    # Figures of a modified tree are not those of the commit: say so in the results.
    return {"commit": head or "unknown", "modified": bool(status.strip())}


def prepare_example(workdir: pathlib.Path) -> Scenario:
    """A copy of the example, so that the community.aws playbook can sit next to deploy.yml.

    Its blue/green service is left out: community.aws's ecs_service cannot deploy through
    CodeDeploy, and both tools must deploy the same services."""
    folder = workdir / "example"
    shutil.copytree(EXAMPLE, folder)
    add_community_playbook(folder)
    seed = load_seed(EXAMPLE / "localaws-seed.yml")
    inventory_file = folder / "inventory" / "hosts.yml"
    inventory = yaml.safe_load(inventory_file.read_text())
    dev_hosts = inventory["all"]["children"][ENV]["hosts"]
    for host in list(dev_hosts):
        service_definition = folder / "services" / host.rsplit(".", 1)[0] / "service-def.json.j2"
        if '"CODE_DEPLOY"' in service_definition.read_text():
            del dev_hosts[host]
    inventory_file.write_text(yaml.safe_dump(inventory))
    return Scenario("example", folder, len(dev_hosts), seed)


def generate_services(workdir: pathlib.Path, count: int) -> Scenario:
    """A folder like the example's with `count` services svc-01.dev ... in the group dev."""
    folder = workdir / f"services-{count}"
    names = [f"svc-{number:02d}" for number in range(1, count + 1)]
    copy_example_frame(folder)
    write_inventory(folder, names)
    for index, name in enumerate(names):
        shape = SHAPES[index % len(SHAPES)]
        write_host_vars(folder, name, shape)
        write_templates(folder, name, shape)
    add_community_playbook(folder)
    seed = load_seed(EXAMPLE / "localaws-seed.yml")
    seed["log_groups"] = [f"/ecs/{ENV}/{name}" for name in names]
    label = f"{count} service" if count == 1 else f"{count} services"
    return Scenario(label, folder, count, seed)


def copy_example_frame(folder: pathlib.Path) -> None:
    """Copy what the generated services share with the example: playbook, config, group vars."""
    group_vars = folder / "inventory" / "group_vars"
    group_vars.mkdir(parents=True)
    for name in ("deploy.yml", "check-env.yml", "ansible.cfg"):
        shutil.copy(EXAMPLE / name, folder / name)
    for name in ("all.yml", f"{ENV}.yml"):
        shutil.copy(EXAMPLE / "inventory" / "group_vars" / name, group_vars / name)


def write_inventory(folder: pathlib.Path, names: list[str]) -> None:
    """Write hosts.yml: one host per service, all in the environment's group."""
    hosts = {f"{name}.{ENV}": None for name in names}
    inventory = {"all": {"children": {ENV: {"hosts": hosts}}}}
    text = "---\n" + yaml.safe_dump(inventory, default_flow_style=False, sort_keys=False)
    (folder / "inventory" / "hosts.yml").write_text(text)


def write_host_vars(folder: pathlib.Path, name: str, shape: str) -> None:
    """Give a service the variables of the example service it is shaped like."""
    example_vars = EXAMPLE / "inventory"
    values = yaml.safe_load((example_vars / "host_vars" / f"{shape}.{ENV}.yml").read_text())
    # The example sets the port per service group; generated services have no such group.
    values.update(yaml.safe_load((example_vars / "group_vars" / f"{shape}.yml").read_text()))
    host_vars = folder / "inventory" / "host_vars"
    host_vars.mkdir(exist_ok=True)
    text = "---\n" + yaml.safe_dump(values, default_flow_style=False, sort_keys=False)
    (host_vars / f"{name}.{ENV}.yml").write_text(text)


def write_templates(folder: pathlib.Path, name: str, shape: str) -> None:
    """Copy the templates of the example service `shape`, renamed for the service `name`."""
    target = folder / "services" / name
    target.mkdir(parents=True)
    for template in (EXAMPLE / "services" / shape).glob("*.j2"):
        # Family, image, log group and tags carry the service's name; URLs of the other
        # services it calls stay as they are.
        (target / template.name).write_text(template.read_text().replace(shape, name))


def add_community_playbook(folder: pathlib.Path) -> None:
    """Put the community.aws playbook next to deploy.yml, where it finds services/."""
    shutil.copy(COMMUNITY_PLAYBOOK, folder / COMMUNITY_PLAYBOOK.name)


def start_local_aws(rollout_seconds: float) -> LocalAWS:
    """Start the local AWS in this process, where apply_seed reaches its state."""
    return LocalAWS(host="127.0.0.1", port=0, rollout_seconds=rollout_seconds).start()


def fresh_account(aws: LocalAWS, scenario: Scenario) -> None:
    """Wipe the local AWS and seed it, so that every tool's first run starts from nothing."""
    aws.reset()
    apply_seed(scenario.seed)


def playbook_env(tool: Tool) -> dict[str, str]:
    """The environment of an ansible-playbook run of `tool`."""
    env = dict(os.environ)
    # Overrides the relative collections_path of the copied ansible.cfg, which no longer
    # points at this repository from the temporary folder.
    env["ANSIBLE_COLLECTIONS_PATH"] = str(tool.collections_path)
    env["ANSIBLE_NOCOLOR"] = "1"
    env["PATH"] = f"{tool.ansible_playbook.parent}{os.pathsep}{env.get('PATH', '')}"
    # Credentials and endpoint come from the playbooks; a profile here would only confuse.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    return env


def run_playbook(aws: LocalAWS, scenario: Scenario, tool: Tool) -> Run:
    """Deploy the scenario once with the tool; count the AWS calls of that run alone."""
    command = [
        str(tool.ansible_playbook),
        tool.playbook,
        "--forks",
        str(FORKS),
        "-e",
        f"env={ENV}",
        "-e",
        f"local_aws_endpoint={aws.endpoint_url}",
    ]
    aws.reset_calls()
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=scenario.folder,
        env=playbook_env(tool),
        capture_output=True,
        text=True,
        timeout=PLAYBOOK_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    calls = aws.calls()
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr)[-6000:]
        sys.exit(f"{tool.name} failed on {scenario.name}:\n{output}")
    return Run(seconds, calls, changed_count(completed.stdout))


def changed_count(stdout: str) -> int:
    """Sum of changed= over the hosts of a play recap."""
    return sum(int(changed) for _host, _ok, changed, _u, _f in RECAP.findall(stdout))


def measure(aws: LocalAWS, scenario: Scenario, tool: Tool, runs: int) -> Measurement:
    """A first run from a fresh account, then `runs` no-change runs."""
    fresh_account(aws, scenario)
    print(f"  {scenario.name}: {tool.name} first run ...", flush=True)
    measurement = Measurement(
        scenario.name, tool.name, scenario.services, run_playbook(aws, scenario, tool)
    )
    for number in range(1, runs + 1):
        print(f"  {scenario.name}: {tool.name} no-change run {number}/{runs} ...", flush=True)
        measurement.no_change.append(run_playbook(aws, scenario, tool))
    return measurement


def wall_time_ratios(measurements: list[Measurement]) -> dict[str, float]:
    """Per scenario: no-change wall time of ecsops.ecspresso over that of community.aws."""
    by_key = {(m.scenario, m.tool): m for m in measurements}
    ratios = {}
    for scenario in dict.fromkeys(m.scenario for m in measurements):
        ours = by_key.get((scenario, "ecsops.ecspresso"))
        theirs = by_key.get((scenario, "community.aws"))
        if ours and theirs:
            ratios[scenario] = ours.median_seconds() / theirs.median_seconds()
    return ratios


def targets(measurements: list[Measurement], ratios: dict[str, float]) -> list[dict[str, Any]]:
    """Each target, per scenario, with the figure it is judged on and whether it is met."""
    results = []
    for m in measurements:
        if m.tool != "ecsops.ecspresso":
            continue
        calls = m.median_calls_per_service()
        results.append(
            {
                "target": "at most 2 AWS calls per service for a no-change deploy",
                "scenario": m.scenario,
                "value": round(calls, 2),
                "met": calls <= CALLS_TARGET_PER_SERVICE,
            }
        )
        ratio = ratios.get(m.scenario)
        results.append(
            {
                "target": "no-change run at most 1/3 of community.aws's wall time",
                "scenario": m.scenario,
                "value": None if ratio is None else round(ratio, 3),
                "met": None if ratio is None else ratio <= WALL_TIME_TARGET_RATIO,
            }
        )
    return results


def format_table(measurements: list[Measurement]) -> str:
    """The figures as a fixed-width table."""
    header = (
        f"{'scenario':<13} {'tool':<17} {'services':>8} {'first run':>10} "
        f"{'no-change run':>14} {'calls/service (no-change)':>26} {'changed (no-change)':>20}"
    )
    lines = [header]
    for m in measurements:
        lines.append(
            f"{m.scenario:<13} {m.tool:<17} {m.services:>8} {m.first.seconds:>8.1f} s "
            f"{m.median_seconds():>12.1f} s {m.median_calls_per_service():>26.1f} "
            f"{m.median_changed():>20g}"
        )
    return "\n".join(lines)


def format_summary(ratios: dict[str, float], judged: list[dict[str, Any]]) -> str:
    """The wall-time ratios and the targets, each marked met or not met."""
    lines = [""]
    for scenario, ratio in ratios.items():
        lines.append(
            f"no-change wall time, ecsops.ecspresso / community.aws, {scenario}: {ratio:.2f}"
        )
    if ratios:
        lines.append("")
    for target in judged:
        if target["met"] is None:
            verdict, value = "not judged (community.aws skipped)", ""
        else:
            verdict = "met" if target["met"] else "NOT MET"
            value = f" ({target['value']:g})"
        lines.append(f"target: {target['target']}, {target['scenario']}{value}: {verdict}")
    return "\n".join(lines)


def call_breakdown(measurements: list[Measurement]) -> str:
    """Which AWS calls the last no-change run of each tool made: the why behind calls/service."""
    lines = ["", "AWS calls of the last no-change run:"]
    for m in measurements:
        calls = ", ".join(f"{name} {count}" for name, count in m.no_change[-1].calls.items())
        lines.append(f"  {m.scenario}, {m.tool}: {calls or 'none'}")
    return "\n".join(lines)


def run_as_dict(run: Run) -> dict[str, Any]:
    """One run for the JSON results."""
    return {
        "seconds": round(run.seconds, 3),
        "changed": run.changed,
        "aws_calls": run.total_calls,
        "aws_calls_by_action": run.calls,
    }


def write_results(
    args: argparse.Namespace,
    measurements: list[Measurement],
    ratios: dict[str, float],
    judged: list[dict[str, Any]],
) -> None:
    """Write the figures, every run and the set-up to bench/results/latest.json."""
    document = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {
            "services": args.services,
            "rollout_seconds": args.rollout_seconds,
            "runs": args.runs,
            "forks": FORKS,
            "skip_community": args.skip_community,
        },
        "versions": collection_versions(args.skip_community),
        "source": source_revision(),
        "measurements": [
            {
                "scenario": m.scenario,
                "tool": m.tool,
                "services": m.services,
                "first_run_seconds": round(m.first.seconds, 3),
                "no_change_seconds_median": round(m.median_seconds(), 3),
                "no_change_calls_per_service_median": round(m.median_calls_per_service(), 3),
                "no_change_changed_median": m.median_changed(),
                "first_run": run_as_dict(m.first),
                "no_change_runs": [run_as_dict(run) for run in m.no_change],
            }
            for m in measurements
        ],
        "no_change_wall_time_ratio": {scenario: round(r, 3) for scenario, r in ratios.items()},
        "targets": judged,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Measure every scenario with every tool, then print and save the figures."""
    args = parse_args(argv)
    check_project_collection()
    if not args.skip_community:
        ensure_bench_venv()
    tools = make_tools(args.skip_community)
    aws = start_local_aws(args.rollout_seconds)
    measurements = []
    try:
        with tempfile.TemporaryDirectory(prefix="deploy-bench-") as workdir:
            scenarios = [
                prepare_example(pathlib.Path(workdir)),
                generate_services(pathlib.Path(workdir), args.services),
            ]
            for scenario in scenarios:
                for tool in tools:
                    measurements.append(measure(aws, scenario, tool, args.runs))
    finally:
        aws.stop()
    ratios = wall_time_ratios(measurements)
    judged = targets(measurements, ratios)
    print()
    print(format_table(measurements))
    print(format_summary(ratios, judged))
    print(call_breakdown(measurements))
    write_results(args, measurements, ratios, judged)
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
