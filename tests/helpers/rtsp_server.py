#!/usr/bin/python3
"""A real RTSP server for the tests: GStreamer's gst-rtsp-server, on 127.0.0.1.

Each mount is a test camera, paced live at its frame rate exactly as a camera would send it. Its
`kind` says what it sends (default "clip"):

  clip      a pre-encoded H.264 clip (Annex B, one access unit per AUD), looped     {clip}
  h265      a pre-encoded H.265 clip (Annex B with AUDs), looped                     {clip}
  garbage   says H.264 in its SDP but sends random bytes as access units (each one
            wrapped as an H.264 slice NAL so the RTP payloader carries it): the pull
            receives data, nothing decodes                                            {bytes}
  switch    clip A for `switchAfterS` seconds, then clip B, then A again...: a
            resolution change mid-stream without reconnecting                         {clip, clipB, switchAfterS}
  timecode  LIVE-encoded (appsrc → x264enc zerolatency): raw I420 frames made here,
            a moving background with the send time burned into the top band as in
            common/timecode.ts (ms since the epoch mod 2^32, taken just before the
            frame is pushed). `encoder`: x264 (one slice a frame, default), x264-sliced
            (zerolatency sliced threads, parameter sets before every keyframe), x264-bframes,
            x264-oob (parameter sets only in the SDP, no access unit delimiters), x264-once
            (parameter sets in band only until the client got one keyframe, a delimiter
            before every access unit), x264-longgop (keyframe every 75 frames), h265;
            `gop` (default 15); `parameterSets` (encoder|once|every3|none) and `delimiters`
            rewrite what the encoder made (see rewrite_before_payloader)               {width, height, encoder, gop, parameterSets, delimiters}
  ptz       LIVE-encoded: a window over a large test picture (a left-to-right luma ramp
            with bars), placed by the pan/tilt written by the ONVIF simulator to
            `positionFile` as JSON {"pan": -1..1, "tilt": -1..1}: pan right, the
            picture gets brighter                                                    {width, height, positionFile}

Common optional fields: `fps` (default 15); `freeRunning` (default false): frames are numbered
from the server's start rather than from the client's connection, so a client joins mid-GOP as
with a real camera (clip and h265; a session that joins mid-GOP first gets the clip's parameter
sets, as a camera's SDP gives them). A clip encoded with a long GOP (e.g. 12 s) makes the "no
keyframe for 10 s" camera.

Pushing starts only once a session's pipeline is PLAYING (see Mount.ready_states).

The test harness drives it with JSON lines on stdin and reads JSON lines on stdout:

  argv[1]: {"port": N (0: any free port), "mounts": [{"path": "/cam1", "kind": ..., ...}, ...],
            "auth": {"username": ..., "password": ...} (optional: every mount then asks for RTSP
            digest auth, as real cameras do; a wrong or missing password gets 401)}
  stdin:  {"cmd": "stop", "mount": "/cam1"}    remove the mount and drop its clients (camera dies)
          {"cmd": "start", "mount": "/cam1"}   serve it again (camera returns)
          {"cmd": "sessions"}                  report RTSP SETUP counts per mount
  stdout: {"event": "ready", "port": N}
          {"event": "failed", "message": ...}  could not listen (e.g. the port is still taken)
          {"event": "ok", "cmd": ..., ...}
          {"event": "setup", "mount": "/cam1"} on every SETUP (one per RTSP session and track)

Run with /usr/bin/python3 (it needs python3-gi). Exits when stdin closes.
"""
import json
import os
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)

START_CODE = b"\x00\x00\x00\x01"
H264_AUD = START_CODE + b"\x09"
H265_AUD = START_CODE + b"\x46\x01"

# common/timecode.ts: 32 blocks across the top 1/8 of the picture, MSB first, white 235 = 1, black 16 = 0.
TIMECODE_BITS = 32
LUMA_ONE = 235
LUMA_ZERO = 16


def gst_buffer(data):
    """A buffer GStreamer owns (a copy): a wrapped Python object may be freed while still queued."""
    buffer = Gst.Buffer.new_allocate(None, len(data), None)
    buffer.fill(0, data)
    return buffer


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def load_access_units(path, delimiter):
    data = open(path, "rb").read()
    starts = []
    index = data.find(delimiter)
    while index != -1:
        starts.append(index)
        index = data.find(delimiter, index + 1)
    if not starts:
        raise SystemExit(f"{path} has no access unit delimiters: encode it with aud=1")
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]


def parameter_sets(access_unit, h265):
    """The VPS/SPS/PPS NAL units (with their start codes) of an access unit."""
    starts = []
    index = access_unit.find(b"\x00\x00\x01")
    while index != -1:
        starts.append(index - 1 if index > 0 and access_unit[index - 1] == 0 else index)
        index = access_unit.find(b"\x00\x00\x01", index + 3)
    wanted = (32, 33, 34) if h265 else (7, 8)
    found = b""
    for start, end in zip(starts, starts[1:] + [len(access_unit)]):
        header = access_unit.index(b"\x00\x00\x01", start) + 3
        nal_type = (access_unit[header] >> 1) & 0x3F if h265 else access_unit[header] & 0x1F
        if nal_type in wanted:
            found += access_unit[start:end]
    return found


PRE_ENCODED_H264 = (
    "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
    'caps="video/x-h264,stream-format=byte-stream,alignment=au" '
    "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=0 )"
)


# Set by main() when the config asks for digest auth: the role every factory admits.
AUTH_ROLE = {"enabled": False, "role": "camera-user"}


def require_digest(server, username, password):
    """RTSP digest auth on every mount (GstRtspServer.RTSPAuth), the way real cameras ask."""
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, AUTH_ROLE["role"])
    auth.add_digest(username, password, token)
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    AUTH_ROLE["enabled"] = True


class Mount:
    """A camera: one shared media per mount; every prepared media has its own appsrc."""

    def __init__(self, server, spec):
        self.server = server
        self.path = spec["path"]
        self.kind = spec.get("kind", "clip")
        self.fps = int(spec.get("fps", 15))
        self.free_running = bool(spec.get("freeRunning", False))
        self.active = []  # {"src": appsrc, "start": frame number of its first push, None before}
        self.clients = set()
        self.setups = 0
        self.plays = 0
        self.sent = 0
        self.factory = None
        self.serving = False

    def launch(self):
        return PRE_ENCODED_H264

    def make_factory(self):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(self.launch())
        factory.set_shared(True)
        if AUTH_ROLE["enabled"]:
            permissions = GstRtspServer.RTSPPermissions()
            permissions.add_permission_for_role(AUTH_ROLE["role"], GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            permissions.add_permission_for_role(AUTH_ROLE["role"], GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            factory.set_permissions(permissions)
        factory.connect("media-configure", self.on_media_configure)
        return factory

    def on_media_configure(self, _factory, media):
        state = {"src": media.get_element().get_by_name("src"), "start": None}
        self.active.append(state)

        def unprepared(_media):
            if state in self.active:
                self.active.remove(state)

        media.connect("unprepared", unprepared)

    def start(self):
        if self.serving:
            return
        self.factory = self.make_factory()
        self.server.get_mount_points().add_factory(self.path, self.factory)
        self.serving = True

    def stop(self):
        if not self.serving:
            return
        self.server.get_mount_points().remove_factory(self.path)
        self.serving = False
        for client in list(self.clients):
            client.close()
        self.clients.clear()
        self.active.clear()

    def tick(self):
        for state in self.ready_states():
            if state["start"] is None:
                state["start"] = 0 if self.free_running else self.sent
                data = self.access_unit(self.sent - state["start"])
                # A session that starts mid-GOP (free-running): like a camera's SDP, give the
                # parameter sets first, else the parser holds the session's DESCRIBE until a keyframe.
                prefix = self.join_prefix() if self.free_running else b""
                if prefix:
                    # after the access unit delimiter, which must come first
                    second = data.find(b"\x00\x00\x01", 4)
                    second = len(data) if second == -1 else (second - 1 if data[second - 1] == 0 else second)
                    data = data[:second] + prefix + data[second:]
            else:
                data = self.access_unit(self.sent - state["start"])
            state["src"].emit("push-buffer", gst_buffer(data))
        self.sent += 1

    def ready_states(self):
        """The sessions whose pipeline is PLAYING. A buffer pushed into an appsrc whose pipeline
        is still changing state can stop its streaming task for good (a session that never gets
        data, about 1 in 40 here); the media goes PLAYING to preroll a live source anyway."""
        return [state for state in self.active if state["src"].current_state == Gst.State.PLAYING]

    def access_unit(self, frame):
        raise NotImplementedError

    def join_prefix(self):
        return b""


class ClipMount(Mount):
    """kind "clip": a pre-encoded H.264 clip, looped."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.access_units = load_access_units(spec["clip"], H264_AUD)
        self.parameter_sets = parameter_sets(self.access_units[0], h265=False)

    def access_unit(self, frame):
        return self.access_units[frame % len(self.access_units)]

    def join_prefix(self):
        return self.parameter_sets


class H265Mount(Mount):
    """kind "h265": a pre-encoded H.265 clip, looped."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.access_units = load_access_units(spec["clip"], H265_AUD)
        self.parameter_sets = parameter_sets(self.access_units[0], h265=True)

    def launch(self):
        return (
            "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
            'caps="video/x-h265,stream-format=byte-stream,alignment=au" '
            "! h265parse ! rtph265pay name=pay0 pt=96 config-interval=0 )"
        )

    def access_unit(self, frame):
        return self.access_units[frame % len(self.access_units)]

    def join_prefix(self):
        return self.parameter_sets


class SwitchMount(Mount):
    """kind "switch": clip A for switchAfterS seconds, then clip B, and again (each from its first keyframe)."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.clips = [load_access_units(spec["clip"], H264_AUD), load_access_units(spec["clipB"], H264_AUD)]
        self.segment_frames = max(1, int(float(spec.get("switchAfterS", 5)) * self.fps))

    def access_unit(self, frame):
        clip = self.clips[(frame // self.segment_frames) % 2]
        return clip[(frame % self.segment_frames) % len(clip)]


class GarbageMount(Mount):
    """kind "garbage": H.264 by its SDP, random bytes as access units (an IDR-looking one every second)."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.size = int(spec.get("bytes", 3000))

    def launch(self):
        # No parser: h264parse would drop what it cannot parse. The payloader only needs start codes.
        return (
            "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
            'caps="video/x-h264,stream-format=byte-stream,alignment=au" '
            "! rtph264pay name=pay0 pt=96 config-interval=0 )"
        )

    def access_unit(self, frame):
        # A start code, then a NAL header byte (IDR or non-IDR slice), then noise. The noise may by
        # chance hold 00 00 01; the payloader then splits it there, which is still noise.
        nal_type = 0x65 if frame % self.fps == 0 else 0x41
        return H264_AUD + b"\xf0" + START_CODE + bytes([nal_type]) + os.urandom(self.size)


# Encoders whose camera differs from the others by default (a mount's `gop` / `parameterSets` win).
DEFAULT_GOP = {"x264-longgop": 75}
DEFAULT_PARAMETER_SETS = {"x264-once": "once", "x264-oob": "none"}
DEFAULT_DELIMITERS = {"x264-oob": False}


def nal_units(data, length_prefixed):
    """(start, end, header offset) of each NAL unit: Annex B (start codes) or avc (4-byte lengths)."""
    units = []
    if length_prefixed:
        index = 0
        while index + 4 <= len(data):
            size = int.from_bytes(data[index : index + 4], "big")
            units.append((index, index + 4 + size, index + 4))
            index += 4 + size
        return units
    starts = []
    index = data.find(b"\x00\x00\x01")
    while index != -1:
        starts.append((index - 1 if index > 0 and data[index - 1] == 0 else index, index + 3))
        index = data.find(b"\x00\x00\x01", index + 3)
    for (start, header), following in zip(starts, starts[1:] + [(len(data), None)]):
        units.append((start, following[0], header))
    return units


def rewrite_before_payloader(element, h265, parameter_sets, delimiters, plays):
    """What a camera that does not repeat its parameter sets sends: the encoder's access units
    rewritten just before the payloader (whose config-interval must be 0). parameterSets "once":
    VPS/SPS/PPS kept in the keyframes up to the first one after each PLAY (`plays()` counts
    them): a session's first keyframe carries them, later ones do not (the keyframes that
    prerolled the media for the SDP go to nobody). "none": never in band (H.264 avc only: the
    payloader then takes the SDP's sprop-parameter-sets from the caps). "every3": kept in every
    third keyframe the encoder makes (a camera that repeats them less often than its GOP).
    delimiters false: access unit delimiters removed."""
    pay_sink = element.get_by_name("pay0").get_static_pad("sink")
    upstream = pay_sink.get_peer()
    state = {"sets_for_play": 0, "keyframes": 0}
    sets = (32, 33, 34) if h265 else (7, 8)
    delimiter = 35 if h265 else 9

    def nal_type(data, header):
        return (data[header] >> 1) & 0x3F if h265 else data[header] & 0x1F

    def is_keyframe(kind):
        return 16 <= kind <= 21 if h265 else kind == 5

    def probe(pad, info):
        buffer = info.get_buffer()
        caps = pad.get_current_caps()
        length_prefixed = caps is not None and caps.get_structure(0).get_string("stream-format") in ("avc", "avc3", "hvc1", "hev1")
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        data = bytes(mapped.data)
        buffer.unmap(mapped)
        units = nal_units(data, length_prefixed)
        keyframe = any(is_keyframe(nal_type(data, header)) for _, _, header in units)
        played = plays()
        keep_sets = parameter_sets == "once" and (played == 0 or state["sets_for_play"] < played)
        if keep_sets and keyframe and played > 0:
            state["sets_for_play"] = played
        if parameter_sets == "every3":
            keep_sets = keyframe and state["keyframes"] % 3 == 0
            state["keyframes"] += 1 if keyframe else 0
        kept = b"".join(
            data[start:end]
            for start, end, header in units
            if not (nal_type(data, header) in sets and not keep_sets) and not (nal_type(data, header) == delimiter and not delimiters)
        )
        if kept == data:
            return Gst.PadProbeReturn.OK
        replacement = gst_buffer(kept)
        replacement.pts, replacement.dts, replacement.duration = buffer.pts, buffer.dts, buffer.duration
        replacement.set_flags(buffer.get_flags())
        # handed to the payloader here, the encoder's own buffer dropped
        pay_sink.chain(replacement)
        return Gst.PadProbeReturn.DROP

    upstream.add_probe(Gst.PadProbeType.BUFFER, probe)


class TimecodeMount(Mount):
    """kind "timecode": a live-encoded camera whose frames carry their send time (common/timecode.ts)."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.width = int(spec.get("width", 640)) & ~1
        self.height = int(spec.get("height", 360)) & ~1
        w, h = self.width, self.height
        # Moving background: a checkerboard on a horizontal ramp, twice the picture's height, scrolled
        # down 4 rows a frame (two row patterns suffice: built fast, so the server starts fast).
        rows = [bytes(48 + ((x // 16 + phase) % 2) * 96 + (x * 64) // w for x in range(w)) for phase in (0, 1)]
        self.background = b"".join(rows[(y // 16) % 2] for y in range(2 * h))
        self.band_rows = -(-h // 8)  # rows y with y < H/8
        self.block_of_x = [(x * TIMECODE_BITS) // w for x in range(w)]
        self.chroma = bytes([128]) * (2 * (w // 2) * (h // 2))
        self.frame_bytes = w * h * 3 // 2
        self.encoder = spec.get("encoder", "x264")
        self.gop = int(spec.get("gop", DEFAULT_GOP.get(self.encoder, 15)))
        self.parameter_sets = spec.get("parameterSets", DEFAULT_PARAMETER_SETS.get(self.encoder, "encoder"))
        self.delimiters = bool(spec.get("delimiters", DEFAULT_DELIMITERS.get(self.encoder, True)))
        if self.parameter_sets not in ("encoder", "once", "every3", "none"):
            raise SystemExit(f"unknown parameterSets {self.parameter_sets}")

    def on_media_configure(self, factory, media):
        super().on_media_configure(factory, media)
        if self.parameter_sets != "encoder" or not self.delimiters:
            rewrite_before_payloader(media.get_element(), self.encoder == "h265", self.parameter_sets, self.delimiters, lambda: self.plays)

    def launch(self):
        raw = (
            "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
            f'caps="video/x-raw,format=I420,width={self.width},height={self.height},framerate={self.fps}/1" '
        )
        gop = self.gop
        encoders = {
            # One slice per frame (the suite's long-standing default).
            "x264": f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} sliced-threads=false threads=1 "
            "! rtph264pay name=pay0 pt=96 config-interval=-1 )",
            # A long GOP (default 75 frames: a keyframe every 5 s at 15 fps), no scene-cut keyframes:
            # a seek late in a GOP decodes many frames before the one it shows.
            "x264-longgop": f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} sliced-threads=false threads=1 "
            'option-string="scenecut=0" ! rtph264pay name=pay0 pt=96 config-interval=0 )',
            # Parameter sets once: in band before the session's first keyframe (and in the SDP), never
            # again; an access unit delimiter opens every access unit (parameterSets "once" by default).
            "x264-once": f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} sliced-threads=false threads=1 "
            "! video/x-h264,stream-format=byte-stream,alignment=au ! rtph264pay name=pay0 pt=96 config-interval=0 )",
            # What many IP cameras send: zerolatency's sliced threads, several slices per frame, and
            # the parameter sets in band before every keyframe (config-interval=1).
            "x264-sliced": f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} sliced-threads=true threads=4 "
            "! rtph264pay name=pay0 pt=96 config-interval=1 )",
            # B-frames: pictures leave the decoder in another order than they enter it.
            "x264-bframes": f"! x264enc speed-preset=ultrafast key-int-max={gop} bframes=2 b-adapt=false threads=1 rc-lookahead=4 "
            "! rtph264pay name=pay0 pt=96 config-interval=0 )",
            # Parameter sets only out of band (the SDP's sprop-parameter-sets), never in the stream:
            # x264 writes them before every keyframe even in avc, so they are taken out
            # (parameterSets "none"), and so are the delimiters (as most such cameras send none).
            "x264-oob": f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} sliced-threads=false threads=1 "
            "! video/x-h264,stream-format=avc,alignment=au ! rtph264pay name=pay0 pt=96 config-interval=0 )",
            # H.265 (recent Hikvision/Dahua), parameter sets in band before every keyframe.
            "h265": f"! x265enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} "
            "! video/x-h265,stream-format=byte-stream ! rtph265pay name=pay0 pt=96 config-interval=1 )",
        }
        if self.encoder not in encoders:
            raise SystemExit(f"unknown timecode encoder {self.encoder}")
        return raw + encoders[self.encoder]

    def tick(self):
        if not self.active:
            self.sent += 1
            return
        w, h = self.width, self.height
        offset = (self.sent * 4) % h
        luma = bytearray(self.background[offset * w : (offset + h) * w])
        ms = int(time.time() * 1000) % (1 << 32)
        row = bytes(LUMA_ONE if (ms >> (TIMECODE_BITS - 1 - block)) & 1 else LUMA_ZERO for block in self.block_of_x)
        luma[0 : self.band_rows * w] = row * self.band_rows
        frame = bytes(luma) + self.chroma
        for state in self.ready_states():
            state["src"].emit("push-buffer", gst_buffer(frame))
        self.sent += 1


class PtzMount(Mount):
    """kind "ptz": what a PTZ camera sees: a window over a world 3x wider and 2x taller than the
    picture, moved by the position the ONVIF simulator writes (tests/helpers/onvifSim.ts)."""

    def __init__(self, server, spec):
        super().__init__(server, spec)
        self.width = int(spec.get("width", 320)) & ~1
        self.height = int(spec.get("height", 180)) & ~1
        self.position_file = spec["positionFile"]
        self.position = (0.0, 0.0)
        self.position_mtime = None
        w, h = self.width, self.height
        self.world_width = 3 * w
        self.world_height = 2 * h
        ww = self.world_width
        row = bytes(max(16, min(235, 24 + (x * 200) // ww - (40 if (x // 24) % 4 == 0 else 0))) for x in range(ww))
        dark = bytes(max(16, value - 30) for value in row)
        self.world = b"".join(dark if (y // 30) % 5 == 0 else row for y in range(self.world_height))
        self.chroma = bytes([128]) * (2 * (w // 2) * (h // 2))

    def launch(self):
        return (
            "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
            f'caps="video/x-raw,format=I420,width={self.width},height={self.height},framerate={self.fps}/1" '
            "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 sliced-threads=false threads=1 "
            "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )

    def read_position(self):
        try:
            mtime = os.stat(self.position_file).st_mtime_ns
            if mtime == self.position_mtime:
                return
            self.position_mtime = mtime
            value = json.loads(open(self.position_file).read())
            self.position = (float(value.get("pan", 0)), float(value.get("tilt", 0)))
        except (OSError, ValueError):
            pass

    def tick(self):
        if not self.active:
            self.sent += 1
            return
        self.read_position()
        w, h, ww = self.width, self.height, self.world_width
        pan = max(-1.0, min(1.0, self.position[0]))
        tilt = max(-1.0, min(1.0, self.position[1]))
        ox = int((pan + 1) / 2 * (ww - w))
        oy = int((1 - (tilt + 1) / 2) * (self.world_height - h))
        luma = b"".join(self.world[(y + oy) * ww + ox : (y + oy) * ww + ox + w] for y in range(h))
        frame = luma + self.chroma
        for state in self.ready_states():
            state["src"].emit("push-buffer", gst_buffer(frame))
        self.sent += 1


KINDS = {"clip": ClipMount, "h264": ClipMount, "h265": H265Mount, "switch": SwitchMount, "garbage": GarbageMount, "timecode": TimecodeMount, "ptz": PtzMount}


def main():
    config = json.loads(sys.argv[1])
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(config.get("port", 0)))
    if config.get("auth"):
        require_digest(server, config["auth"]["username"], config["auth"]["password"])
    mounts = {}
    for spec in config["mounts"]:
        kind = spec.get("kind", "clip")
        if kind not in KINDS:
            raise SystemExit(f"unknown mount kind {kind}")
        mounts[spec["path"]] = KINDS[kind](server, spec)
    for mount in mounts.values():
        mount.start()

    def mount_for(path):
        for mount_path, mount in mounts.items():
            if path == mount_path or path.startswith(mount_path + "/"):
                return mount
        return None

    def on_client(_server, client):
        def remember(_client, context):
            mount = mount_for(context.uri.abspath)
            if mount is not None:
                mount.clients.add(client)
            return mount

        def on_setup(_client, context):
            mount = remember(_client, context)
            if mount is not None:
                mount.setups += 1
                emit({"event": "setup", "mount": mount.path})

        def on_closed(_client):
            for mount in mounts.values():
                mount.clients.discard(client)

        def on_play(_client, context):
            mount = mount_for(context.uri.abspath)
            if mount is not None:
                mount.plays += 1

        client.connect("describe-request", remember)
        client.connect("setup-request", on_setup)
        client.connect("play-request", on_play)
        client.connect("closed", on_closed)

    server.connect("client-connected", on_client)
    try:
        source_id = server.attach(None)
    except GLib.Error as error:
        emit({"event": "failed", "message": error.message})
        sys.exit(3)
    if not source_id:
        emit({"event": "failed", "message": "could not listen"})
        sys.exit(3)

    # Frames are due at exact multiples of 1/fps from the start (a plain GLib interval drifts);
    # a short timer checks which mounts are due.
    started = time.monotonic()

    def tick():
        now = time.monotonic() - started
        for mount in mounts.values():
            while mount.sent < int(now * mount.fps):
                mount.tick()
        return True

    GLib.timeout_add(5, tick)
    loop = GLib.MainLoop()

    def handle(line):
        try:
            command = json.loads(line)
        except ValueError:
            emit({"event": "error", "message": "bad json"})
            return False
        name = command.get("cmd")
        if name in ("stop", "start"):
            mount = mounts.get(command.get("mount"))
            if mount is None:
                emit({"event": "error", "message": "unknown mount"})
                return False
            mount.stop() if name == "stop" else mount.start()
            emit({"event": "ok", "cmd": name, "mount": mount.path})
        elif name == "sessions":
            emit({"event": "ok", "cmd": "sessions", "setups": {path: mount.setups for path, mount in mounts.items()}})
        else:
            emit({"event": "error", "message": "unknown command"})
        return False

    def read_stdin():
        for line in sys.stdin:
            GLib.idle_add(handle, line)
        GLib.idle_add(loop.quit)

    threading.Thread(target=read_stdin, daemon=True).start()
    emit({"event": "ready", "port": server.get_bound_port()})
    loop.run()


if __name__ == "__main__":
    main()
