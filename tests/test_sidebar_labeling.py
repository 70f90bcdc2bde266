"""The labeling panel in a real JupyterLab driven through the system Chromium (fixtures of
test_sidebar.py, one JupyterLab for the module): images labeled by click and by keyboard, a box
drawn and resized on an image, text spans tagged, two workers consolidated, a reload mid-job,
and the sidebar's counts of a labeling job.

Screenshots land in test-artifacts/ (the README's docs/labeling.png comes from there).
"""

from __future__ import annotations

from pathlib import Path

from test_rest_labeling import end_jobs, image_manifest, text_manifest
from test_sidebar import (  # noqa: F401 (fixtures)
    ARTIFACTS, browser, home, jp_asyncio_loop, jp_server_cleanup, lab, page, pytestmark,
)

from conftest import wait_until
from jupyter_ext.labeling import LabelingJob, labeling_progress, next_task, undo_last


def _panel(page, job: str):
    return page.locator(f'.jp-JupyterExt-labelingPage[data-labeling-job="{job}"]')


def _open_from_sidebar(page, job: str):
    page.locator(".jp-JupyterExt-refresh").click()
    page.locator(f'#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="{job}"]').click()
    page.locator("#jupyter-ext-sidebar .jp-JupyterExt-openPage", has_text="Label").click()
    return _panel(page, job)


def _open_from_palette(page, job: str):
    page.evaluate(f"window.jupyterapp.commands.execute('jupyter-ext:open-labeling', {{name: '{job}'}})")
    return _panel(page, job)


def _at_item(panel, item: int, image: bool = True) -> None:
    """Wait until the panel shows `item` (and its image, for an image job)."""
    job = panel.get_attribute("data-labeling-job")
    panel.page.locator(f'.jp-JupyterExt-labelingPage[data-labeling-job="{job}"][data-item="{item}"]').wait_for()
    if image:
        panel.locator(f'.jp-JupyterExt-imageFrame[data-item="{item}"][data-loaded="true"]').wait_for()


def _reload(page) -> None:
    page.reload()
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("window.jupyterapp.restored.then(() => true)")
    heading = page.locator("#jupyter-ext-sidebar .jp-JupyterExt-heading")
    if not heading.is_visible():
        page.locator('.lm-TabBar-tab[data-id="jupyter-ext-sidebar"]').click()
    heading.wait_for()


def test_images_are_labeled_by_click_and_by_keyboard_and_a_reload_loses_nothing(page, tmp_path: Path) -> None:
    job = LabelingJob(image_manifest(tmp_path, 4), "ImageClassification", ["cat", "dog", "bird"],
                      instructions="Which animal is it?", output_path=str(tmp_path / "out")).start("label-keys")
    try:
        page.set_viewport_size({"width": 1400, "height": 900})
        panel = _open_from_sidebar(page, "label-keys")
        _at_item(panel, 0)
        assert page.locator(".lm-TabBar-tab.lm-mod-current", has_text="Label: label-keys").count() == 1
        buttons = panel.locator(".jp-JupyterExt-category")
        assert [(buttons.nth(i).locator("kbd").inner_text(), buttons.nth(i).locator(".jp-JupyterExt-categoryName").inner_text())
                for i in range(3)] == [("1", "cat"), ("2", "dog"), ("3", "bird")]  # the key shown on each
        assert "Which animal is it?" in panel.locator(".jp-JupyterExt-instructions").inner_text()
        assert panel.locator(".jp-JupyterExt-badge").inner_text() == "labeling by people"  # the state in words
        assert panel.locator(".jp-JupyterExt-submit").is_hidden()  # one label: choosing answers
        panel.locator('.jp-JupyterExt-category[data-category="cat"]').click()  # by click
        _at_item(panel, 1)
        page.keyboard.press("2")  # by keyboard: dog
        _at_item(panel, 2)
        page.keyboard.press("s")  # skip: item 2 goes to the back
        _at_item(panel, 3)
        page.keyboard.press("z")  # undo: item 1 again, its dog shown pressed
        _at_item(panel, 1)
        assert panel.locator('.jp-JupyterExt-category[data-category="dog"]').get_attribute("aria-pressed") == "true"
        page.keyboard.press("Control+z")  # undo again: item 0, cat
        _at_item(panel, 0)
        page.keyboard.press("1")
        _at_item(panel, 1)
        page.keyboard.press("3")
        _at_item(panel, 3)
        assert panel.locator(".jp-JupyterExt-labelingProgress").get_attribute("data-done") == "2"
        assert "2 of 4 answered by me" in panel.locator(".jp-JupyterExt-progressText").inner_text()
        assert labeling_progress("label-keys").per_label == {"cat": 1, "bird": 1}

        _reload(page)  # mid-job: everything is in the store
        panel = _open_from_palette(page, "label-keys")
        _at_item(panel, 3)
        assert panel.locator(".jp-JupyterExt-labelingProgress").get_attribute("data-done") == "2"
        page.keyboard.press("2")
        _at_item(panel, 2)
        page.keyboard.press("2")
        panel.locator(".jp-JupyterExt-labelingDone").wait_for()
        assert "Nothing left for me" in panel.inner_text()
        wait_until(lambda: panel.locator(".jp-JupyterExt-badge").inner_text() == "complete", 15, "the badge to say complete")

        detail = page.locator("#jupyter-ext-sidebar .jp-JupyterExt-labelingSummary")
        page.locator(".jp-JupyterExt-refresh").click()
        page.locator('#jupyter-ext-sidebar .jp-JupyterExt-row[data-job-name="label-keys"]').click()
        counts = detail.locator(".jp-JupyterExt-labelingCounts table")
        counts.wait_for()
        wait_until(lambda: counts.get_attribute("data-human") == "4", 15, "the sidebar to count 4 labels by people")
        assert (counts.get_attribute("data-machine"), counts.get_attribute("data-left")) == ("0", "0")
        assert "Labeled by people" in counts.inner_text()
        detail.locator(".jp-JupyterExt-labelChart .mark-rect path").nth(2).wait_for()  # cat, dog, bird
        detail.locator('.jp-JupyterExt-confidenceChart path[aria-label="confidence: 0.9–1.0; items: 4"]').wait_for()
        assert labeling_progress("label-keys").per_label == {"cat": 1, "dog": 2, "bird": 1}
    finally:
        end_jobs(job)


def _natural_to_screen(frame, x: float, y: float) -> tuple[float, float]:
    box = frame.locator("img").bounding_box()
    width = int(frame.get_attribute("data-natural-width"))
    scale = box["width"] / width
    return box["x"] + x * scale, box["y"] + y * scale


def _drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=6)
    page.mouse.up()


def test_a_box_is_drawn_resized_relabeled_and_stored_in_the_images_pixels(page, tmp_path: Path) -> None:
    job = LabelingJob(image_manifest(tmp_path, 2, (128, 96), side=50), "BoundingBox", ["square", "circle"],
                      instructions="Draw a box around every square and every circle.",
                      output_path=str(tmp_path / "out")).start("label-boxes")
    try:
        page.set_viewport_size({"width": 1400, "height": 900})
        panel = _open_from_sidebar(page, "label-boxes")
        _at_item(panel, 0)
        frame = panel.locator(".jp-JupyterExt-imageFrame")
        assert frame.locator("img").bounding_box()["width"] > 2 * 128  # a small image is shown larger
        editor = panel.locator(".jp-JupyterExt-boxEditor")
        _drag(page, _natural_to_screen(frame, 4, 4), _natural_to_screen(frame, 40, 30))  # the square is 4..54
        assert editor.get_attribute("data-boxes") == "1"
        assert panel.locator(".jp-JupyterExt-box.jp-mod-selected .jp-JupyterExt-handle").count() == 4
        corner = panel.locator(".jp-JupyterExt-handle.jp-mod-se").bounding_box()
        _drag(page, (corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2), _natural_to_screen(frame, 54, 54))
        page.keyboard.press("2")  # the selected box becomes a circle
        assert panel.locator('.jp-JupyterExt-box[data-label="circle"]').count() == 1
        page.keyboard.press("1")  # and a square again
        assert panel.locator('.jp-JupyterExt-box[data-label="square"]').count() == 1
        _drag(page, _natural_to_screen(frame, 90, 20), _natural_to_screen(frame, 120, 80))  # a second box
        assert editor.get_attribute("data-boxes") == "2"
        page.keyboard.press("Delete")  # removes the selected (second) box
        assert editor.get_attribute("data-boxes") == "1"
        ARTIFACTS.mkdir(exist_ok=True)
        panel.locator(".jp-JupyterExt-box").first.click()  # selected, handles shown, for the picture
        page.locator("#jupyter-ext-sidebar .jp-JupyterExt-labelingSummary").wait_for()
        page.screenshot(path=str(ARTIFACTS / "labeling.png"))
        page.keyboard.press("Enter")
        _at_item(panel, 1)
        assert undo_last("label-boxes", "me") == 0
        answer = next_task("label-boxes", "me").previous
        assert answer["image_size"] == {"width": 128, "height": 96}
        [box] = answer["boxes"]
        assert box["label"] == "square"
        for key, expected in (("left", 4), ("top", 4), ("width", 50), ("height", 50)):
            assert abs(box[key] - expected) <= 1, (key, box)
        panel.locator(".jp-JupyterExt-pageRefresh").click()  # the item taken back shows its box again
        _at_item(panel, 0)
        panel.locator('.jp-JupyterExt-box[data-label="square"]').wait_for()
        job.stop()  # the server refuses answers now; the panel says why
        wait_until(lambda: labeling_progress("label-boxes").state == "stopped", 60, "the labeling job to stop")
        page.keyboard.press("Enter")
        message = panel.locator(".jp-JupyterExt-message", has_text="Cannot submit the answer")
        message.wait_for()
        assert "label-boxes is stopped; it takes no more answers" in message.inner_text()
    finally:
        end_jobs(job)


def _select_text(page, panel, start: int, end: int) -> None:
    """Drag the mouse over characters start..end of the item's text."""
    rects = panel.locator(".jp-JupyterExt-nerText").evaluate(
        """(node, [start, end]) => {
            const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
            const place = offset => { let at = 0, text;
              while ((text = walker.nextNode())) { if (offset < at + text.length) return [text, offset - at]; at += text.length; }
            };
            const rect = offset => { walker.currentNode = node; const [text, i] = place(offset);
              const range = document.createRange(); range.setStart(text, i); range.setEnd(text, i + 1);
              const r = range.getBoundingClientRect(); return [r.left, r.right, r.top + r.height / 2]; };
            return [rect(start), rect(end - 1)];
        }""", [start, end])
    (left, _, y), (_, right, _) = rects
    _drag(page, (left + 1, y), (right - 1, y))


def test_text_spans_are_tagged_by_selection_and_removed_by_a_click(page, tmp_path: Path) -> None:
    text = "Alice met Bob in Paris"
    job = LabelingJob(text_manifest(tmp_path, [text, "Nobody here"]), "NamedEntityRecognition", ["PERSON", "PLACE"],
                      output_path=str(tmp_path / "out")).start("label-spans")
    try:
        panel = _open_from_palette(page, "label-spans")
        _at_item(panel, 0, image=False)
        page.keyboard.press("1")  # no span selected yet
        panel.locator(".jp-JupyterExt-message", has_text="Select a span of the text first").wait_for()
        _select_text(page, panel, 0, 5)
        assert panel.locator(".jp-JupyterExt-pendingSpan").get_attribute("data-span") == "0-5"
        panel.locator('.jp-JupyterExt-category[data-category="PERSON"]').click()
        _select_text(page, panel, 10, 13)
        page.keyboard.press("1")
        _select_text(page, panel, 17, 22)
        page.keyboard.press("2")
        _select_text(page, panel, 6, 13)  # "met Bob" overlaps Bob's tag: refused, with the fix
        page.keyboard.press("1")
        panel.locator(".jp-JupyterExt-message", has_text="remove that tag first").wait_for()
        tags = panel.locator(".jp-JupyterExt-entity")
        assert [tags.nth(i).inner_text() for i in range(3)] == ["Alice", "Bob", "Paris"]
        tags.nth(1).click()  # Bob's tag removed
        assert tags.count() == 2
        page.keyboard.press("Enter")
        _at_item(panel, 1, image=False)
        assert labeling_progress("label-spans").per_label == {"PERSON": 1, "PLACE": 1}
        assert undo_last("label-spans", "me") == 0
        assert next_task("label-spans", "me").previous == {"entities": [
            {"label": "PERSON", "start": 0, "end": 5}, {"label": "PLACE", "start": 17, "end": 22}]}
    finally:
        end_jobs(job)


def test_two_workers_label_one_job_and_their_answers_are_consolidated(page, tmp_path: Path) -> None:
    job = LabelingJob(image_manifest(tmp_path, 2), "ImageMultiLabel", ["cat", "dog"], workers=["ann", "bob"],
                      annotations_per_item=2, output_path=str(tmp_path / "out")).start("label-pair")
    try:
        panel = _open_from_palette(page, "label-pair")
        chooser = panel.locator(".jp-JupyterExt-workerChooser")
        chooser.locator("option").nth(1).wait_for(state="attached")
        for worker, answers in (("ann", (["1"], ["1", "2"])), ("bob", (["1"], ["2", "1"]))):
            chooser.select_option(worker)
            page.locator(f'.jp-JupyterExt-labelingPage[data-worker="{worker}"]').wait_for()
            for item, keys in enumerate(answers):
                _at_item(panel, item)
                panel.focus()
                for key in keys:
                    page.keyboard.press(key)  # toggles
                page.keyboard.press("Enter")
            panel.locator(".jp-JupyterExt-labelingDone").wait_for()
            if worker == "ann":
                assert labeling_progress("label-pair").human == 0  # one answer each: nothing final yet
        progress = labeling_progress("label-pair")
        assert (progress.human, progress.left, progress.workers) == (2, 0, {"ann": 2, "bob": 2})
        assert progress.per_label == {"cat": 2, "dog": 1}  # both said cat, then cat and dog
        panel.locator(".jp-JupyterExt-progressText", has_text="2 of 2 answered by bob · 2 of 2 items labeled").wait_for()
        _reload(page)
        panel = _open_from_palette(page, "label-pair")
        page.locator('.jp-JupyterExt-labelingPage[data-worker="bob"]').wait_for()  # the choice remembered
    finally:
        end_jobs(job)
