// The integration tests' main: gtest's, ended as the mcu ends (signaling/sip_process_exit.h),
// since this process links sofia-sip and runs GStreamer pipelines.
#include <gtest/gtest.h>

#include "signaling/sip_process_exit.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const int code = RUN_ALL_TESTS();
  mcu::signaling::ExitProcess(code);
}
