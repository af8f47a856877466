"""Tests of talos_client against a running seed (unittest, standard library only).

    TALOS_URL=http://127.0.0.1:8080 TALOS_TOKEN=PIPELINE TALOS_OPERATOR_TOKEN=OPERATOR \\
        python3 clients/python/test_talos_client.py -v [PipelineTests|TimelineTests]

The shot is examples/pipeline/shot.json with the two keyframe drawings uploaded, under an id new to each run. Tests/Talos.Tests/Api/PythonClientTests.cs starts the seed and runs this.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import talos_client as talos  # noqa: E402

EXAMPLE = os.path.join(HERE, "..", "..", "examples", "pipeline")
URL, TOKEN, OPERATOR = os.environ.get("TALOS_URL"), os.environ.get("TALOS_TOKEN"), os.environ.get("TALOS_OPERATOR_TOKEN")
RUN = uuid.uuid4().hex[:8]  # each run renders its own shot and production, so a rerun against one seed sees them render
SHOT_ID, PRODUCTION = "python-" + RUN, "python-film-" + RUN


def rendered_shot(client):
    """Uploads the drawings and palette, submits the example shot and follows it: (key, events, spec)."""
    key0 = client.upload_asset(os.path.join(EXAMPLE, "key-000.png"))["hash"]
    with open(os.path.join(EXAMPLE, "key-010.png"), "rb") as f:
        key1 = client.upload_asset(f.read(), name="drawings/key-010.png")["hash"]
    palette = client.upload_asset(os.path.join(EXAMPLE, "palette.json"))
    with open(os.path.join(EXAMPLE, "shot.json")) as f:
        spec = json.loads(f.read().replace("@KEY0@", key0).replace("@KEY1@", key1).replace("@ID@", SHOT_ID))
    accepted = client.submit_shot(spec, palette=palette["hash"])
    events = list(client.follow(accepted["key"], timeout=120))
    return accepted["key"], events, spec


def edited_production(client, spec):
    """The example shot as a production of its own (PRODUCTION), followed until its film is edited: the events."""
    shot = {k: v for k, v in spec.items() if k != "production"}
    accepted = client.submit_production(PRODUCTION, shots=[dict(shot, id="film-01")], transition_frames=0)
    assert accepted["shotKeys"] == [PRODUCTION + "--film-01"], accepted
    return list(client.follow(PRODUCTION, timeout=120))


@unittest.skipUnless(URL and TOKEN, "set TALOS_URL and TALOS_TOKEN (and TALOS_OPERATOR_TOKEN) to a seed's API")
class PipelineTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = talos.Client(URL, TOKEN)
        cls.key, cls.events, cls.spec = rendered_shot(cls.client)
        cls.dir = tempfile.mkdtemp(prefix="talos-client-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_follow_yields_shot_events_until_the_shot_completes(self):
        self.assertEqual(self.key, "pipeline-example--" + SHOT_ID)
        self.assertTrue(all(e.event == "shot" and e.data["key"] == self.key for e in self.events), self.events)
        statuses = [e.data["status"] for e in self.events]
        self.assertIn("rendering", statuses)
        self.assertEqual(("completed", 1), (statuses[-1], self.events[-1].data["progress"]))
        self.assertEqual(1, statuses.count("completed"), statuses)

    def test_the_video_is_an_mp4_of_the_shot(self):
        got = self.client.download_video(self.key, self.dir)
        self.assertEqual((os.path.join(self.dir, SHOT_ID + ".mp4"), "video/mp4"), (got.path, got.content_type))
        with open(got.path, "rb") as f:
            head = f.read(12)
        self.assertEqual(b"ftyp", head[4:8])
        self.assertEqual(os.path.getsize(got.path), got.bytes)
        if shutil.which("ffprobe"):
            probe = json.loads(subprocess.run(
                ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                 "stream=codec_name,width,height,nb_read_frames", "-of", "json", got.path],
                check=True, capture_output=True).stdout)["streams"][0]
            self.assertEqual(("h264", 192, 108, "12"), (probe["codec_name"], probe["width"], probe["height"], probe["nb_read_frames"]))

    def test_a_production_is_followed_until_its_film_is_edited(self):
        events = edited_production(self.client, self.spec)
        self.assertEqual(["shot"] * (len(events) - 1) + ["production"], [e.event for e in events])
        self.assertEqual(("completed", 1), (events[-2].data["status"], events[-2].data["progress"]))
        final = events[-1].data
        self.assertEqual(("completed", "sdr", 12), (final["status"], final["delivery"], final["filmFrames"]))
        self.assertEqual(final, self.client.production(PRODUCTION))
        self.assertEqual([events[-1]], list(self.client.follow(PRODUCTION)))  # finished: the final state at once
        film = self.client.download_film(PRODUCTION, self.dir)
        self.assertEqual((os.path.join(self.dir, PRODUCTION + ".mp4"), "video/mp4"), (film.path, film.content_type))
        with open(film.path, "rb") as f:
            self.assertEqual(b"ftyp", f.read(8)[4:])
        named = self.client.download_film(PRODUCTION, os.path.join(self.dir, "cut.mp4"))
        self.assertEqual((os.path.join(self.dir, "cut.mp4"), film.bytes), (named.path, named.bytes))

    def test_shots_shot_and_history_read_the_rendered_shot(self):
        self.assertIn(self.key, [s["key"] for s in self.client.shots("pipeline-example")])
        self.assertNotIn(self.key, [s["key"] for s in self.client.shots("another-production")])
        shot = self.client.shot(self.key)
        self.assertEqual(("completed", 12, f"/api/v1/shots/{self.key}/video"), (shot["status"], shot["frameCount"], shot["videoHref"]))
        history = self.client.history(self.key)
        self.assertTrue(history, "no journalled events")
        self.assertEqual(history, self.client.history(self.key))

    def test_the_same_spec_submitted_again_answers_the_same_shot_unrevised(self):
        # The same spec and palette (an upload of the same bytes is the same asset): the same shot, still revision 1.
        # (An edited spec would be revision 2 and render again.)
        palette = self.client.upload_asset(os.path.join(EXAMPLE, "palette.json"))["hash"]
        self.assertEqual(self.key, self.client.submit_shot(json.dumps(self.spec), palette=palette)["key"])
        shot = self.client.shot(self.key)
        self.assertEqual((1, "completed"), (shot["revision"], shot["status"]))

    def test_a_wrong_token_is_unauthorized(self):
        with self.assertRaises(talos.Unauthorized) as e:
            talos.Client(URL, "not-a-token").shots()
        self.assertEqual((401, "Authorization"), (e.exception.status, e.exception.field))

    def test_an_unknown_shot_is_not_found(self):
        with self.assertRaises(talos.NotFound) as e:
            self.client.shot("pipeline-example--no-such-shot")
        self.assertEqual((404, "Not found", "key"), (e.exception.status, e.exception.title, e.exception.field))
        self.assertIn("no-such-shot", e.exception.detail)
        with self.assertRaises(talos.NotFound):
            list(self.client.follow("no-such-production"))

    def test_a_bad_spec_is_a_bad_request_naming_the_field(self):
        bad = dict(self.spec, id="python-bad", fps=0)
        with self.assertRaises(talos.BadRequest) as e:
            self.client.submit_shot(bad)
        self.assertEqual((400, "$.fps"), (e.exception.status, e.exception.field))
        self.assertIn("$.fps", [err["path"] for err in e.exception.problem["errors"]])
        missing = json.loads(json.dumps(self.spec).replace(self.spec["characters"][0]["keyframeImages"][1]["asset"], "sha256/" + "0" * 64))
        with self.assertRaises(talos.BadRequest) as e:
            self.client.submit_shot(dict(missing, id="python-missing"))
        self.assertEqual("$.characters[0].keyframeImages[1].asset", e.exception.field)
        with self.assertRaises(talos.BadRequest) as e:
            self.client.submit_shot("{not json")
        self.assertIn("line", e.exception.problem)
        with self.assertRaises(talos.TooLarge) as e:
            self.client.submit_shot(b"[" + b" " * (1 << 20) + b"]")  # over the seed's default 1 MiB for JSON
        self.assertEqual((413, "body"), (e.exception.status, e.exception.field))
        with self.assertRaises(talos.UnsupportedMediaType):
            self.client.upload_asset(b"neither a drawing nor a palette")

    def test_nothing_listening_is_unreachable(self):
        with self.assertRaises(talos.Unreachable) as e:
            talos.Client("http://127.0.0.1:9", TOKEN, timeout=5).shots()
        self.assertIsNone(e.exception.status)

    def test_operator_verbs_need_an_operator_token(self):
        with self.assertRaises(talos.Forbidden) as e:
            self.client.cancel(self.key)
        self.assertEqual(403, e.exception.status)
        with self.assertRaises(talos.Forbidden):
            self.client.queue()

    @unittest.skipUnless(OPERATOR, "set TALOS_OPERATOR_TOKEN")
    def test_operator_verbs(self):
        ops = talos.Client(URL, OPERATOR)
        self.assertNotIn(self.key, [s["key"] for s in ops.queue()])
        members = ops.cluster()["members"]
        self.assertEqual(1, len(members), members)
        set_to = ops.priority(self.key, 5)
        self.assertEqual((self.key, "priority"), (set_to["key"], set_to["action"]))
        with self.assertRaises(talos.BadRequest) as e:
            ops.priority(self.key, 5000)
        self.assertEqual("$.priority", e.exception.field)
        with self.assertRaises(talos.Conflict):
            ops.retry(self.key)  # completed: nothing to retry
        with self.assertRaises(talos.NotFound):
            ops.cancel("pipeline-example--no-such-shot")
        with self.assertRaises(talos.NotFound):
            ops.drain("127.0.0.1:1", timeout_seconds=5)
        with self.assertRaises(talos.Conflict) as e:
            ops.drain(members[0]["address"], timeout_seconds=5)  # the seed serves the request: it refuses
        self.assertEqual("$.address", e.exception.field)
        actions = [e for e in ops.history(self.key) if "priority" in json.dumps(e)]
        self.assertTrue(actions, "the priority change is not in the shot's history")


@unittest.skipUnless(URL and TOKEN, "set TALOS_URL and TALOS_TOKEN to a seed's API")
class TimelineTests(unittest.TestCase):
    """The production's edit as OTIO and EDL (GET /productions/{p}/timeline.otio|.edl)."""

    def test_export_timeline_writes_otio_and_edl(self):
        client = talos.Client(URL, TOKEN)
        edited_production(client, rendered_shot(client)[2])
        with tempfile.TemporaryDirectory() as d:
            otio = client.export_timeline(PRODUCTION, d)
            self.assertEqual((os.path.join(d, PRODUCTION + ".otio"), "application/json"), (otio.path, otio.content_type))
            with open(otio.path) as f:
                timeline = json.load(f)
            self.assertEqual("Timeline.1", timeline["OTIO_SCHEMA"])
            self.assertIn(f"/api/v1/shots/{PRODUCTION}--film-01/video", json.dumps(timeline))
            edl = client.export_timeline(PRODUCTION, os.path.join(d, "cut.edl"), format="edl")
            self.assertEqual((os.path.join(d, "cut.edl"), "text/plain"), (edl.path, edl.content_type))
            with open(edl.path) as f:
                self.assertEqual(["TITLE:", "FCM: NON-DROP FRAME"], [f.readline()[:6].strip(), f.readline().strip()])  # 12 fps: no drop frame
        with self.assertRaises(talos.BadRequest) as e:
            client.export_timeline(PRODUCTION, ".", format="edl", rate="29.97")  # a rate of 30 frames for a 12 fps film
        self.assertEqual("rate", e.exception.field)
        with self.assertRaises(talos.NotFound) as e:
            client.export_timeline("no-such-production", ".", format="edl")
        self.assertEqual("production", e.exception.field)
        with self.assertRaises(ValueError):
            client.export_timeline(PRODUCTION, ".", format="xml")

if __name__ == "__main__":
    unittest.main()
