// How a process that links sofia-sip ends.
//
// Debian 12's sofia-sip (1.12.11) deletes pthread key 0 in a library destructor whether or not it
// ever created it (fixed upstream in 2021, sofia-sip 948e2ea). In a GStreamer process key 0 is
// GLib's slice allocator's: a GLib pool thread left idle by a pipeline that wakes after that
// destructor aborts the process ("Unexpected error from C library during
// 'pthread_setspecific'"), and exit() runs library destructors while such threads live. So such
// a process, once everything of its own is stopped and destroyed, ends through ExitProcess():
// logs and stdio flushed, then _Exit, which runs no library destructor.
//
// Threads: any, once no other thread of the process's own is left running.
#pragma once

namespace mcu::signaling {

[[noreturn]] void ExitProcess(int code);

}  // namespace mcu::signaling
