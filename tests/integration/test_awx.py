"""The example deploy run as AWX runs a job template, and the job template for AWX.

AWX runs a job through ansible-runner, in a private data directory it lays out: the
project's checkout in ``project/``, the inventory it synced written as a script in
``inventory/hosts``, the credentials' environment variables in ``env/envvars`` (an
"Amazon Web Services" credential gives AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SECURITY_TOKEN, not AWS_SESSION_TOKEN), the survey answers and the template's extra
variables in ``env/extravars``, and its command-line arguments (``-u``, ``--limit``) in
``env/cmdline``. The tests below lay one out the same way around a copy of the example and
run it with ``ansible_runner.run``, as AWX's worker does (without the container).

The credentials are the only ones the run is given: the job template sets ``local_aws:
false``, so the example passes no keys of its own, and a recording proxy in front of the
local AWS checks which access key signed each call and which security token came with it.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import ansible_runner
import pytest
import yaml

from tests.integration import awx_collection
from tests.integration.test_example import EXAMPLE, services
from tests.localaws.seed import apply_seed, load_seed

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
JOB_TEMPLATE = ROOT / "examples" / "awx" / "job-template.yml"

# What an "Amazon Web Services" credential with an STS token injects.
CREDENTIAL = {
    "AWS_ACCESS_KEY_ID": "ASIAAWXJOBCREDENTIAL",
    "AWS_SECRET_ACCESS_KEY": "awx-job-secret-access-key",
    "AWS_SECURITY_TOKEN": "awx-job-sts-token",
}
# Variables of the test process that would give the run other AWS settings than the
# job's own.
AWS_VARIABLES = [
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_URL",
    "AWS_ENDPOINT_URL",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
]


class SigningRecorder:
    """An HTTP proxy in front of the local AWS that notes, for each AWS call, the access
    key that signed it and the security token sent with it."""

    def __init__(self, target):
        self.target = urllib.parse.urlsplit(target)
        self.signers = {}
        self._lock = threading.Lock()
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.note(self.headers)
                upstream = http.client.HTTPConnection(
                    recorder.target.hostname, recorder.target.port, timeout=120
                )
                try:
                    upstream.request(self.command, self.path, body, dict(self.headers.items()))
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = forward

            def log_message(self, *args):
                """Nothing per request."""

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def note(self, headers):
        credential = headers.get("Authorization", "").partition("Credential=")[2]
        signer = (credential.split("/", 1)[0], headers.get("X-Amz-Security-Token"))
        with self._lock:
            self.signers[signer] = self.signers.get(signer, 0) + 1

    @property
    def endpoint_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def recorder(aws):
    with SigningRecorder(aws.endpoint_url) as proxy:
        yield proxy


def inventory_script(project, inventory):
    """What AWX writes as ``inventory/hosts``: the inventory it imported from the project
    (``ansible-inventory --list --export`` of the source, group and host variables
    included) printed by a script."""
    exported = subprocess.run(
        [BIN / "ansible-inventory", "-i", inventory, "--list", "--export"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    data = json.dumps(json.loads(exported))
    return f"#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint({data!r})\n"


def job_template_args():
    """The options of the job template that examples/awx/job-template.yml sets up."""
    (play,) = yaml.safe_load(JOB_TEMPLATE.read_text())
    (task,) = [task for task in play["tasks"] if "awx.awx.job_template" in task]
    return task["awx.awx.job_template"]


def private_data_dir(base, endpoint_url, limit):
    """A private data directory laid out as AWX lays out one for a job of the template,
    whose project is the example."""
    data = base / "awx-job"
    shutil.copytree(EXAMPLE, data / "project")
    (data / "inventory").mkdir()
    hosts = data / "inventory" / "hosts"
    hosts.write_text(inventory_script(data / "project", "inventory/hosts.yml"))
    hosts.chmod(0o700)
    (data / "env").mkdir()
    envvars = {
        **CREDENTIAL,
        # Not from the credential: where the local AWS answers, as a real account's
        # endpoint needs no setting. (A custom credential type or AWX's extra
        # environment variables would set it.)
        "AWS_ENDPOINT_URL": endpoint_url,
        # The execution environment has the collection installed; here it is found
        # where the tests link it.
        "ANSIBLE_COLLECTIONS_PATH": os.environ["ANSIBLE_COLLECTIONS_PATH"],
        "JOB_ID": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
    }
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    # AWX's own variables, the template's extra variables and the survey's answer.
    template = job_template_args()
    extravars = {
        "awx_job_id": 1,
        "awx_job_template_name": template["name"],
        **template["extra_vars"],
        "env": "dev",
    }
    (data / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (data / "env" / "cmdline").write_text(shlex.join(["-u", "root", "-l", limit]))
    return data


def run_job(data, ident):
    """Run the job as AWX's worker does; returns the runner and the events with the time
    each reached this process."""
    arrivals = []

    def on_event(event):
        arrivals.append((time.monotonic(), event))
        return True

    runner = ansible_runner.run(
        private_data_dir=str(data),
        ident=str(ident),
        playbook="deploy.yml",
        inventory=str(data / "inventory" / "hosts"),
        event_handler=on_event,
        quiet=True,
        timeout=300,
    )
    return runner, arrivals


def stdout_of(runner):
    return runner.stdout.read() if runner.stdout else ""


def changed_by_host(runner):
    (stats,) = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    data = stats["event_data"]
    return {host: data["changed"].get(host, 0) for host in data["ok"]}


def test_awx_job_deploys_the_limited_services_with_the_credential_it_injects(
    aws, recorder, tmp_path, monkeypatch
):
    apply_seed(load_seed(EXAMPLE / "localaws-seed.yml"))
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # Long enough that the rollout's lines come well before the task's result.
    aws.server.rollout_seconds = 1.5
    data = private_data_dir(tmp_path, recorder.endpoint_url, "auth-service:user-service")

    runner, arrivals = run_job(data, 1)

    assert (runner.status, runner.rc) == ("successful", 0), stdout_of(runner)
    # --limit leaves out payment-service and api-gateway.
    assert changed_by_host(runner) == {"auth-service.dev": 1, "user-service.dev": 1}
    deployed = services(aws)
    assert sorted(deployed) == ["auth-service", "user-service"]
    for service in deployed.values():
        (deployment,) = service["deployments"]
        assert deployment["rolloutState"] == "COMPLETED"
        assert service["runningCount"] == service["desiredCount"] >= 1
    # Every AWS call was signed with the credential's key and carried its token, which
    # came as AWS_SECURITY_TOKEN alone.
    assert set(recorder.signers) == {
        (CREDENTIAL["AWS_ACCESS_KEY_ID"], CREDENTIAL["AWS_SECURITY_TOKEN"])
    }
    assert sum(recorder.signers.values()) >= 10

    # The progress lines are job events of their own, each in a file of the job's
    # artifacts, and each reached the runner while the deploy task ran, before its result.
    saved = [
        json.loads(path.read_text())
        for path in (data / "artifacts" / "1" / "job_events").glob("*.json")
    ]
    assert sorted(e["uuid"] for e in saved) == sorted(e["uuid"] for _arrived, e in arrivals)
    lines = {}
    for arrived, event in arrivals:
        for line in event.get("stdout", "").splitlines():
            if line.startswith("[auth-service] "):
                lines[line] = (arrived, event)
    assert not any("[payment-service]" in e.get("stdout", "") for e in saved)
    registered = "[auth-service] registered dev-auth-service:1"
    completed = next(line for line in lines if " COMPLETED in " in line)
    assert completed.startswith("[auth-service] deployment of dev-auth-service:1 COMPLETED")
    # The task that deployed: the one whose result changed auth-service.
    ((result_arrived, result),) = [
        (arrived, event)
        for arrived, event in arrivals
        if event["event"] == "runner_on_ok"
        and event["event_data"]["host"] == "auth-service.dev"
        and event["event_data"]["res"]["changed"]
    ]
    ((task_start, task),) = [
        (arrived, event) for arrived, event in arrivals if event["uuid"] == result["parent_uuid"]
    ]
    assert task["event_data"]["task_action"] == "ecsops.ecspresso.ecspresso_deploy"
    for line in (registered, completed):
        arrived, event = lines[line]
        assert event["event"] == "verbose" and event["stdout"] == line, event
        assert event["uuid"] in {e["uuid"] for e in saved}
        assert task["counter"] < event["counter"] < result["counter"]
        assert task_start < arrived < result_arrived
    # The rollout took its 1.5 seconds between the two lines, not after the result.
    assert result_arrived - lines[registered][0] >= 1.0
    # The task's result has them too.
    assert "registered dev-auth-service:1" in [
        e["message"] for e in result["event_data"]["res"]["events"]
    ]

    aws.server.reset_calls()
    runner, _events = run_job(data, 2)

    assert (runner.status, runner.rc) == ("successful", 0), stdout_of(runner)
    assert changed_by_host(runner) == {"auth-service.dev": 0, "user-service.dev": 0}
    assert aws.mutating_calls() == {}
    assert sorted(services(aws)) == ["auth-service", "user-service"]


@pytest.fixture(scope="session")
def awx_collections():
    """A collections path with awx.awx (installed from PyPI's Ansible package, once) and
    this collection."""
    awx_collection.install()
    return awx_collection.COLLECTIONS


def syntax_check(collections):
    return subprocess.run(
        [BIN / "ansible-playbook", "--syntax-check", JOB_TEMPLATE.name],
        cwd=JOB_TEMPLATE.parent,
        # Only the collections path given: not an Ansible package's copy in site-packages.
        env=dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=str(collections),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_job_template_passes_the_syntax_check_with_awx_awx(awx_collections, tmp_path):
    assert awx_collection.installed_version() == awx_collection.wanted_version()

    completed = syntax_check(awx_collections)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    # Without the collection, the same check fails: it does resolve the modules.
    completed = syntax_check(tmp_path)
    assert completed.returncode != 0
    assert "awx.awx.execution_environment" in completed.stdout + completed.stderr


def awx_tasks():
    (play,) = yaml.safe_load(JOB_TEMPLATE.read_text())
    return {
        task["name"]: (module, args)
        for task in play["tasks"]
        for module, args in task.items()
        if module.startswith("awx.awx.")
    }


def test_job_template_uses_only_options_that_awx_awx_documents(awx_collections):
    tasks = awx_tasks()
    modules = sorted({module for module, _args in tasks.values()})
    documented = json.loads(
        subprocess.run(
            [BIN / "ansible-doc", "--json", *modules],
            env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(awx_collections)),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    )

    for name, (module, args) in tasks.items():
        options = documented[module]["doc"]["options"]
        names = {alias for option in options.values() for alias in option.get("aliases", [])}
        assert set(args) <= set(options) | names, (name, set(args) - set(options) - names)
        for option, value in args.items():
            choices = options.get(option, {}).get("choices")
            if choices and "{{" not in str(value):
                assert value in choices, (name, option, value, choices)
        assert args["state"] == "present"


def test_job_template_fits_the_example_and_the_job_the_test_above_runs():
    (play,) = yaml.safe_load(JOB_TEMPLATE.read_text())
    tasks = dict(awx_tasks().values())
    template = tasks["awx.awx.job_template"]
    credential = tasks["awx.awx.credential"]
    environment = tasks["awx.awx.execution_environment"]["name"]

    # The playbook and inventory it names are the example's.
    assert (EXAMPLE / play["vars"]["awx_playbook"]).is_file()
    assert (EXAMPLE / play["vars"]["awx_inventory_path"]).is_file()
    assert tasks["awx.awx.inventory_source"]["source"] == "scm"
    assert tasks["awx.awx.project"]["default_environment"] == environment
    assert template["execution_environment"] == environment
    # An AWS credential, whose inputs AWX injects as the variables the job above gets.
    assert credential["credential_type"] == "Amazon Web Services"
    assert set(credential["inputs"]) == {"username", "password", "security_token"}
    assert template["credentials"] == [credential["name"]]
    # The same extra variables, and the limit asked at launch.
    assert template["extra_vars"] == {"local_aws": False}
    assert template["ask_limit_on_launch"] is True
    # A survey AWX accepts: one multiple choice question per environment of the inventory.
    assert template["survey_enabled"] is True
    survey = template["survey_spec"]
    assert {"name", "description", "spec"} <= set(survey) and survey["spec"]
    (question,) = survey["spec"]
    assert question["variable"] == "env" and question["type"] == "multiplechoice"
    group_vars = yaml.safe_load((EXAMPLE / "inventory" / "group_vars" / "all.yml").read_text())
    assert question["choices"].split("\n") == group_vars["environments"]
    assert question["default"] in group_vars["environments"] and question["required"]
