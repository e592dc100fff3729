#!/usr/bin/env python3
"""SIP room systems for bench/sip_legs.sh: N headless baresip processes (G.722, H.264 640x360 at
15 fps from fakevideo, SIP/TLS, SDES-SRTP) that call the MCU's conference and report how long
each call took from the dial (the room's console command) to the first RTP of the composite's
video at the room, and to its first audio.

  sip_rooms.py --port P --conference C --rooms N --dir D --rounds R --hold-file F --out J

Round after round, each room dials, is timed, and hangs up (R rounds, one room at a time); then
every room dials once more and stays in the call until F exists (the load phase), then hangs up.
Writes J: {"setupMs": [...], "audioMs": [...], "rooms": N}."""
import argparse, json, os, socket, subprocess, sys, time

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--conference", default="bench")
p.add_argument("--rooms", type=int, default=4)
p.add_argument("--dir", required=True)
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--hold-file", required=True)
p.add_argument("--ready-file", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Room:
    def __init__(self, i):
        self.user = f"sipload-{i}"
        self.dir = os.path.join(a.dir, f"room{i}")
        os.makedirs(self.dir, exist_ok=True)
        self.cons = free_port()
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("poll_method epoll\nsip_listen 127.0.0.1:0\nnet_interface 127.0.0.1\n"
                    "sip_verify_server no\naudio_source ausine,440\naudio_player alsa,null\n"
                    "audio_alert alsa,null\nausrc_srate 48000\nausrc_channels 2\nmodule_path /usr/lib/baresip/modules\n"
                    "module g722.so\nmodule ausine.so\nmodule alsa.so\nmodule srtp.so\n"
                    "module avcodec.so\nmodule fakevideo.so\nmodule cons.so\n"
                    "module_app account.so\nmodule_app menu.so\n"
                    "video_source fakevideo,nil\nvideo_display fakevideo,nil\nvideo_size 640x360\n"
                    f"video_fps 15\nvideo_bitrate 600000\ncons_listen 127.0.0.1:{self.cons}\n")
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write(f"<sip:{self.user}@127.0.0.1;transport=tls>;regint=0;"
                    "audio_codecs=G722/16000/1;mediaenc=srtp-mand\n")
        self.log_path = os.path.join(self.dir, "baresip.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["/usr/bin/baresip", "-f", self.dir], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.seen = 0
        self.wait_for("baresip is ready", 10)

    def text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_for(self, what, timeout, start=0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.text().find(what, start) >= 0:
                return time.monotonic()
            time.sleep(0.002)
        raise SystemExit(f"{self.user}: no '{what}' in {timeout} s:\n{self.text()[-2000:]}")

    def command(self, line):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto((line + "\n").encode(), ("127.0.0.1", self.cons))
        s.close()

    def dial(self):
        start = len(self.text())
        t0 = time.monotonic()
        self.command(f"/dial sip:{a.conference}@127.0.0.1:{a.port};transport=tls")
        audio = self.wait_for("incoming rtp for 'audio' established", 10, start)
        video = self.wait_for("incoming rtp for 'video' established", 10, start)
        return (video - t0) * 1000, (audio - t0) * 1000

    def hangup(self):
        start = len(self.text())
        self.command("/hangup")
        self.wait_for("terminate call", 10, start)


rooms = [Room(i + 1) for i in range(a.rooms)]
setup, audio = [], []
try:
    for _ in range(a.rounds):
        for r in rooms:
            v, au = r.dial()
            setup.append(round(v, 1))
            audio.append(round(au, 1))
            r.hangup()
            time.sleep(0.5)
    for r in rooms:
        v, au = r.dial()
        setup.append(round(v, 1))
        audio.append(round(au, 1))
    open(a.ready_file, "w").close()
    while not os.path.exists(a.hold_file):
        time.sleep(0.1)
    for r in rooms:
        r.hangup()
finally:
    for r in rooms:
        r.proc.terminate()
    for r in rooms:
        r.proc.wait(10)
json.dump({"rooms": a.rooms, "setupMs": setup, "audioMs": audio}, open(a.out, "w"))
