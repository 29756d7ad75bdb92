// libFuzzer's driver entry point (compiler-rt, LLVM 11 and later), for pciplan-fuzz's own
// `main`. Only declared here: the symbol comes from libclang_rt.fuzzer, which swiftc links
// only under `-sanitize=fuzzer`, and pciplan-fuzz calls it only when built with
// `-DPCIPLAN_LIBFUZZER` (Scripts/fuzz). A plain build never references it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
