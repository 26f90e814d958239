package plugin.processes;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "plugin.processes", name = "Process monitor",
        description = "Builds the tree of processes and threads (fork, clone, exec, exit) and binds each pid to its address spaces.")
@interface ProcessesConfig {
    @AttributeDefinition(name = "Trace folder",
            description = "Folder for processes.jsonl (appended to) and the timeline picture processes-timeline.svg written at stop.")
    String traceDir() default "trace";

    @AttributeDefinition(name = "Print tree", description = "Print the process tree and the picture's path on standard output when the monitor stops.")
    boolean printTree() default true;
}
