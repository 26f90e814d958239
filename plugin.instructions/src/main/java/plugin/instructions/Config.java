package plugin.instructions;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The settings of the instruction trace; validated by the stack manager against this metatype. */
@ObjectClassDefinition(name = "Instruction trace", description =
        "Writes each executed guest instruction inside the filters to instructions.log: pc, address space, "
        + "bytes, disassembly and optionally the registers. Code outside the filters is not instrumented at all.")
@interface Config {
    @AttributeDefinition(description = "Folder instructions.log is written to (created if missing)")
    String traceDir() default ".";

    @AttributeDefinition(description = "Also log every full-width register before each instruction (slow)")
    boolean registers() default false;

    @AttributeDefinition(description = "Address ranges to trace, each START-END in hex (END exclusive), "
            + "e.g. 0x401000-0x402000; empty: every address", required = false)
    String[] ranges() default {};

    @AttributeDefinition(description = "Address-space ids to trace; empty: every address space", required = false)
    long[] asids() default {};

    @AttributeDefinition(description = "Guest process ids to trace (their address spaces are learnt from "
            + "abiscope/process events); empty: every process", required = false)
    int[] pids() default {};

    @AttributeDefinition(description = "Stop logging after this many instructions; 0: no limit", min = "0")
    long first() default 0;

    @AttributeDefinition(description = "Log only every Kth executed instruction inside the filters", min = "1")
    long every() default 1;
}
