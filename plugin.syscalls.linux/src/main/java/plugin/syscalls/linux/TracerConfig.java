package plugin.syscalls.linux;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the tracer (ConfigAdmin PID {@code plugin.syscalls.linux}). */
@ObjectClassDefinition(id = "plugin.syscalls.linux", name = "Linux system-call tracer",
        description = "Traces Linux system calls by ABI only and writes strace-format logs, JSON lines and EventAdmin events")
public @interface TracerConfig {
    @AttributeDefinition(description = "Folder for syscalls.log and syscalls.jsonl (created if missing)")
    String traceDir() default "trace";

    @AttributeDefinition(description = "Output formats: log (strace -f -o format), jsonl; none for events only")
    String[] formats() default {"log", "jsonl"};

    @AttributeDefinition(description = "Bytes of strings and buffers shown before \"...\" (strace -s)", min = "1")
    int stringLimit() default 32;

    @AttributeDefinition(description = "Only these calls: names (openat) or classes (file, desc, process, memory, network, signal); empty for all")
    String[] include() default {};

    @AttributeDefinition(description = "Never these calls: names or classes")
    String[] exclude() default {};

    @AttributeDefinition(description = "Only these address spaces (asids, decimal or 0x hex); empty for all")
    String[] asids() default {};
}
