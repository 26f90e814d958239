package emulator.x86.decode;

/** CPUID feature an instruction form needs, so the front end can raise #UD for features not advertised. */
public enum Feature {
    BASE, X87, CMOV, CX8, CX16, MMX, SSE, SSE2, SSE3, SSSE3, SSE41, SSE42, POPCNT, LZCNT, BMI1, MOVBE,
    FXSR, CLFSH, SEP, SYSCALL, RDTSCP, XSAVE, RDRAND, RDSEED, MONITOR, PCLMUL, LAHF64, SMAP, FSGSBASE, CET, SHA, AES, ADX, MOVDIRI, CLWB, CLFLUSHOPT
}
