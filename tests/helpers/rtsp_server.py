#!/usr/bin/python3
"""A real RTSP server for the tests: GStreamer's gst-rtsp-server, on 127.0.0.1.

Each mount serves a pre-encoded H.264 (Annex B, one access unit per AUD) clip, looped forever as
a live source paced at its frame rate, exactly as a camera would send it. The test harness drives
it with JSON lines on stdin and reads JSON lines on stdout:

  stdin:  {"cmd": "stop", "mount": "/cam1"}    remove the mount and drop its clients (camera dies)
          {"cmd": "start", "mount": "/cam1"}   serve it again (camera returns)
          {"cmd": "sessions"}                  report RTSP SETUP counts per mount
  stdout: {"event": "ready", "port": N}
          {"event": "ok", "cmd": ..., ...}
          {"event": "setup", "mount": "/cam1"} on every SETUP (one per RTSP session and track)

Run with /usr/bin/python3 (it needs python3-gi). Exits when stdin closes.
"""
import json
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)

AUD = b"\x00\x00\x00\x01\x09"


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def load_access_units(path):
    data = open(path, "rb").read()
    starts = []
    index = data.find(AUD)
    while index != -1:
        starts.append(index)
        index = data.find(AUD, index + 1)
    if not starts:
        raise SystemExit("clip has no access unit delimiters: encode it with x264 aud=1")
    return [data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]


class Mount:
    def __init__(self, server, spec):
        self.server = server
        self.path = spec["path"]
        self.access_units = load_access_units(spec["clip"])
        self.fps = int(spec.get("fps", 15))
        self.active = []  # [appsrc, next index]
        self.clients = set()
        self.setups = 0
        self.sent = 0
        self.factory = None
        self.serving = False

    def make_factory(self):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            "( appsrc name=src is-live=true do-timestamp=true format=time max-buffers=2 leaky-type=downstream "
            'caps="video/x-h264,stream-format=byte-stream,alignment=au" '
            "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=0 )"
        )
        factory.set_shared(True)
        factory.connect("media-configure", self.on_media_configure)
        return factory

    def on_media_configure(self, _factory, media):
        state = [media.get_element().get_by_name("src"), 0]
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
        for state in self.active:
            source, index = state
            buffer = Gst.Buffer.new_wrapped(self.access_units[index % len(self.access_units)])
            source.emit("push-buffer", buffer)
            state[1] = index + 1


def main():
    config = json.loads(sys.argv[1])
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(config.get("port", 0)))
    mounts = {spec["path"]: Mount(server, spec) for spec in config["mounts"]}
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

        client.connect("describe-request", remember)
        client.connect("setup-request", on_setup)
        client.connect("closed", on_closed)

    server.connect("client-connected", on_client)
    server.attach(None)

    # Frames are due at exact multiples of 1/fps from the start (a plain GLib interval drifts);
    # a short timer checks which mounts are due.
    started = time.monotonic()

    def tick():
        now = time.monotonic() - started
        for mount in mounts.values():
            while mount.sent < int(now * mount.fps):
                mount.tick()
                mount.sent += 1
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
