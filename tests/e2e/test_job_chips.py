"""Job chips in the top bar: a running job can be stopped from its chip, and a stopped or
interrupted one resumed from it; a project's jobs left interrupted by a stopped server get
their chips when it opens."""
from __future__ import annotations

import subprocess
import sys
import time

from playwright.sync_api import expect

from storyloom.store.jobs import this_process


def _open(page, studio):
    page.goto(f"{studio.url}#/p/{studio.pid}")
    page.wait_for_selector(".card")
    page.wait_for_function("window.storyloom.revision !== null")


def test_an_interrupted_render_is_offered_and_resumed_from_its_chip(page, start_studio):
    studio = start_studio()
    lib = studio.lib
    jid = lib.create_job("render", studio.pid, {"origin": "studio", "workers": 0, "ray": False})
    lib.start_job(jid)
    lib.update_job(jid, progress=0.4, message="frame 20/48")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host, _, start = this_process().split(":")
    lib._con().execute("UPDATE jobs SET owner=? WHERE id=?", (f"{host}:{gone.pid}:{int(start) + 1}", jid))
    _open(page, studio)
    chip = page.locator(".job-chip", has_text="Render: interrupted at 40%")
    expect(chip).to_be_visible()
    chip.locator(".job-resume").click()
    expect(page.locator(".toast", has_text="Render finished")).to_be_visible(timeout=90_000)
    job = lib.job(jid)
    assert job.state == "done" and job.attempts == 2
    expect(chip).to_have_count(0, timeout=5_000)
    assert page.console.unexpected() == []


def test_stop_a_render_from_its_chip_then_resume_it(page, start_studio, monkeypatch):
    import storyloom.studio.jobs as jobs
    studio = start_studio()
    slow, fast = [True], jobs.render_project

    def render_slowly(*a, **k):
        report = k["progress"]

        def progress(f, m=""):
            report(f, m)
            if slow[0]:
                time.sleep(0.3)
        k["progress"] = progress
        return fast(*a, **k)
    monkeypatch.setattr(jobs, "render_project", render_slowly)
    _open(page, studio)
    page.locator("#render-btn").click()
    chip = page.locator(".job-chip", has_text="Render")
    expect(chip.locator(".job-stop")).to_be_visible()
    page.locator("#render-dialog button[value=close]").click()   # the render goes on; its chip stays
    chip.locator(".job-stop").click()
    expect(chip.locator(".job-resume")).to_be_visible(timeout=30_000)
    expect(chip).to_contain_text("cancelled")
    render = [j for j in studio.lib.jobs(studio.pid) if j.kind == "render"][0]
    assert render.state == "cancelled"
    slow[0] = False
    chip.locator(".job-resume").click()
    expect(page.locator(".toast", has_text="Render finished")).to_be_visible(timeout=90_000)
    assert studio.lib.job(render.id).state == "done" and studio.lib.job(render.id).attempts == 2
    assert page.console.unexpected() == []


def test_the_render_dialog_says_where_to_render_and_remembers_it(page, start_studio):
    studio = start_studio()
    _open(page, studio)
    page.locator("#render-btn").click()
    expect(page.locator("#render-again")).to_be_visible(timeout=90_000)   # the first render ended
    page.select_option("#render-executor", "ray")
    page.fill("#render-ray-address", "10.0.0.5:6379")
    page.locator("#render-ray-address").dispatch_event("change")
    page.select_option("#render-executor", "pool")
    page.locator("#render-again").click()
    expect(page.locator("#render-progress .label")).to_contain_text("Done in", timeout=90_000)
    renders = [j for j in studio.lib.jobs(studio.pid) if j.kind == "render"]
    assert [j.params["ray"] for j in renders] == [False, None]   # newest first: the pool, then the default
    assert page.evaluate("localStorage.getItem('storyloom.render.ray')") == "10.0.0.5:6379"
    assert page.console.unexpected() == []
