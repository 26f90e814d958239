package plugin.files;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "plugin.files", name = "File operations monitor",
        description = "Logs open, read, write, dup and close of every traced process, with paths resolved from a per-process handle table.")
@interface FilesConfig {
    @AttributeDefinition(name = "Trace folder",
            description = "Folder for files.log, files.jsonl and files-summary.txt (created if missing; logs are appended to, so a restart loses nothing).")
    String traceDir() default "trace";

    @AttributeDefinition(name = "Print summary", description = "Print the per-file summary on standard output when the monitor stops.")
    boolean printSummary() default true;
}
