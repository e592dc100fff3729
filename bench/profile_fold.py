#!/usr/bin/env python3
"""Folds `perf script -F comm,period,ip,sym,dso` (with call chains) of the mcu into the tables of
bench/profile.sh's summary.txt. Reads stdin; argv[1] is the MCU's CPU over the window in cores
(from /proc), used to turn shares into cores.

Each sample is put in one stage: walking its chain from the leaf towards the thread's start, the
first frame that a rule in STAGES names decides (so memcpy inside SRTP is "memcpy", and SRTP's own
code is "SRTP"). Samples no rule names fall to "other, <thread kind>". Thread kinds fold numbered
GStreamer threads (appsrc12:src -> appsrcN:src)."""
import collections
import re
import sys

cores = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0


def kind_of(comm):
    return re.sub(r"\d+:src$", "N:src", comm)


# (stage, thread-kind regex or None, frame regex over "symbol@dso"); first match from the leaf.
STAGES = [
    ("memcpy/memmove/memset (libc)", None, r"^__(memcpy|memmove|memset)\w*@|^(memcpy|memmove|memset)@"),
    ("malloc/free (libc, g_slice)", None, r"^(_int_malloc|_int_free|__GI___libc_malloc|__GI___libc_free|malloc|free|cfree\S*|"
     r"malloc_consolidate|_int_realloc|realloc|tcache\w*|g_slice_alloc\w*|g_slice_free\w*|operator new|operator delete)@"),
    ("kernel: loopback delivery of sent datagrams (softirq)", None, r"^(net_rx_action|process_backlog|__netif_receive_skb\w*)@"),
    ("kernel+libc: sendmsg, one per datagram", None, r"^(__libc_sendmsg|__sys_sendmsg|sendmsg|__libc_sendmmsg|sendmmsg)@"),
    ("kernel+libc: recvmsg", None, r"^(__libc_recvmsg|__sys_recvmsg|recvmsg|__libc_recvmmsg|recvmmsg)@"),
    ("kernel+libc: poll", None, r"^(__GI___poll|__poll|poll|do_sys_poll)@"),
    ("thread hand-offs: futex wait/wake, context switches", None,
     r"^(do_futex|futex_wait|futex_wake|__futex_abstimed_wait_common|__schedule|schedule|finish_task_switch\S*|"
     r"asm_sysvec_reschedule_ipi|irqentry_exit_to_user_mode|exit_to_user_mode_loop)@"),
    ("GLib wake-ups (eventfd write/read)", None, r"^(g_wakeup_signal|g_wakeup_acknowledge|__GI___libc_write|__libc_write|write|read|__libc_read)@"),
    ("SRTP protect (libsrtp2, AES-GCM via NSS)", None, r"^(srtp_protect\w*)@"),
    ("SRTP unprotect (libsrtp2, AES-GCM via NSS)", None, r"^(srtp_unprotect\w*)@"),
    ("libnice/GIO send path (agent lock, lookups)", None, r"^(nice_agent_send\w*|g_socket_send\w*)@"),
    ("libnice/GIO receive path", None, r"^(g_socket_receive\w*|nice_\w*|component_\w*)@|@libnice"),
    ("ours: RTP out (rewrite, history copy, SendRtp)", None,
     r"^mcu::media::(PeerTransport::Send\w*|RetransmissionHistory::\w*|RtpRewriter::\w*|\(anonymous namespace\)::MixPeer::Send\w*)"),
    ("ours: RTP in (HandleDatagram, FrameAssembler, NACK, stats)", None,
     r"^mcu::media::(PeerTransport::Handle\w*|FrameAssembler::\w*|NackGenerator::\w*|ReceiveStatistics::\w*|"
     r"\(anonymous namespace\)::MixPeer::(OnTransportRtp|Drain))"),
    ("ours: appsink copy of the encoded frame (OnTierSample)", None, r"OnTierSample"),
    ("ours: audio mix (jitter buffer, MixMinus)", None, r"^mcu::media::(MixMinus|AudioJitterBuffer|LevelDbfs)"),
    ("VP8 encode (libvpx)", r"^queue", r"@libvpx|^vpx_codec_encode@"),
    ("VP8 decode (libvpx)", r"^appsrc", r"@libvpx|^vpx_codec_decode@"),
    ("Opus decode (libopus)", None, r"^opus_decode\w*@"),
    ("Opus encode (libopus)", None, r"^opus_encode\w*@"),
    ("Opus, frames without a call chain (libopus)", None, r"@libopus"),
    ("site threads: GStreamer hand-over (appsrc loop, compositor sink pad)", r"^appsrc", r"@libgstbase|@libgstreamer"),
    ("textoverlay: shading + blending the name (libgstpango)", None,
     r"@libgstpango|@libpango|@libcairo|@libharfbuzz|@libfreetype|^gst_video_overlay_composition_blend@|^gst_video_blend\w*@"),
    ("videoscale", None, r"@libgstvideoscale"),
    ("videoconvert", None, r"@libgstvideoconvert"),
    ("rtpvp8pay", None, r"@libgstrtp\.so"),
    ("compositor: latency query + warning message per frame", r"^comp", r"^(gst_query_new_latency|gst_pad_query_default|gst_element_message_full\w*)@"),
    ("compositor: pad conversion (GstVideoConverter, orc code in the pool threads)", r"^pool-", r"orcexec|^\[unknown\]@\[unknown\]"),
    ("compositor: blending (orc code)", r"^comp", r"orcexec"),
    ("background videotestsrc", r"^videotestsrc", r"."),
    ("GLib main loop (dispatch, sources, timers)", None, r"^g_(main_context|main_loop|source|timeout|idle)\w*@"),
]
STAGES = [(n, re.compile(k) if k else None, re.compile(f)) for n, k, f in STAGES]

# Entry points whose inclusive cost names a stage (a sample counts once per entry point).
INCLUSIVE = [
    "vpx_codec_encode", "vpx_codec_decode", "opus_decode", "opus_encode", "opus_decode_native",
    "gst_video_decoder_finish_frame", "gst_video_overlay_composition_blend", "gst_app_src_push_buffer",
    "mcu::media::PeerTransport::SendRtp", "mcu::media::PeerTransport::SendRaw", "mcu::media::PeerTransport::HandleDatagram",
    "mcu::media::SrtpSession::ProtectRtp", "mcu::media::SrtpSession::UnprotectRtp", "PK11_Encrypt", "PK11_Decrypt",
    "mcu::media::RetransmissionHistory::Store", "nice_agent_send", "__libc_sendmsg", "g_socket_receive_message",
    "mcu::media::FrameAssembler::Insert", "mcu::media::FrameAssembler::Pop", "g_main_context_dispatch",
    "__GI___poll", "g_cond_wait", "do_futex", "net_rx_action", "gst_pad_query_default", "gst_element_message_full",
]

samples = []  # (comm, period, [(sym, dso)] leaf first)
cur = None
frame = re.compile(r"^\s+[0-9a-f]+ (.*) \((.*)\)$")
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        continue
    if not line[0].isspace():
        parts = line.split()
        cur = (parts[0], int(parts[-1]), [])
        samples.append(cur)
        continue
    m = frame.match(line)
    if m and cur is not None:
        dso = m.group(2)
        dso = "orcexec" if "orcexec" in dso else dso.rsplit("/", 1)[-1]
        cur[2].append((m.group(1), dso))

total = sum(p for _, p, _ in samples) or 1
# Inlined frames carry their caller's dso in perf's output as "inlined": give them the next real one.
for _, _, chain in samples:
    real = "[unknown]"
    for i in range(len(chain) - 1, -1, -1):
        s, d = chain[i]
        if d == "inlined":
            chain[i] = (s, real)
        else:
            real = d


def pct(p):
    return 100.0 * p / total


def line(name, p):
    return f"{pct(p):6.1f}%  {pct(p) * cores / 100:6.3f}  {name}"


stage = collections.Counter()
stage_by_kind = collections.defaultdict(collections.Counter)
kind = collections.Counter()
kind_dso = collections.defaultdict(collections.Counter)
incl = collections.Counter()
callers = collections.defaultdict(collections.Counter)  # cross-cutting stage -> first caller outside libc/kernel
for comm, period, chain in samples:
    k = kind_of(comm)
    kind[k] += period
    if chain:
        kind_dso[k][chain[0][1]] += period
    name = None
    for s, d in chain:
        key = f"{s}@{d}"
        for n, kre, fre in STAGES:
            if (kre is None or kre.search(comm)) and fre.search(key):
                name = n
                break
        if name:
            break
    if name is None:
        name = f"other, {k}"
    stage[name] += period
    stage_by_kind[name][k] += period
    if name.startswith(("memcpy", "malloc", "thread hand-offs", "kernel+libc: sendmsg")):
        for s, d in chain:
            if (not d.startswith(("libc.so", "[kernel", "libglib-2.0", "libstdc++")) and s != "[unknown]"
                    and not STAGES[0][2].search(f"{s}@") and not STAGES[1][2].search(f"{s}@")):
                callers[name][f"{s} ({d})"] += period
                break
    seen = set()
    for s, _ in chain:
        base = s.split("(")[0] if s.startswith("mcu::") else s
        for e in INCLUSIVE:
            if base == e and e not in seen:
                seen.add(e)
                incl[e] += period

print(f"samples: {len(samples)}; MCU CPU over the window: {cores:.3f} cores; columns: % of the MCU, cores")
print("\n== by thread kind ==")
for k, p in kind.most_common():
    if pct(p) >= 0.2:
        tops = ", ".join(f"{d} {pct(q):.1f}%" for d, q in kind_dso[k].most_common(4))
        print(line(k, p) + f"   [{tops}]")
print("\n== by stage (each sample once; the first named frame from the leaf decides) ==")
for n, p in stage.most_common():
    if pct(p) >= 0.2:
        where = ", ".join(f"{k} {pct(q):.1f}" for k, q in stage_by_kind[n].most_common(3))
        print(line(n, p) + f"   [{where}]")
print("\n== who calls the cross-cutting stages (first frame outside libc, GLib and the kernel) ==")
for n in callers:
    print(n)
    for c, p in callers[n].most_common(8):
        print("   " + line(c, p))
print("\n== inclusive cost of entry points (a sample counts once per entry point) ==")
for e in INCLUSIVE:
    if incl[e]:
        print(line(e, incl[e]))
