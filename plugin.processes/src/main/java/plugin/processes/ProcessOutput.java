package plugin.processes;

import java.util.Map;

/** Where the process tree's results go: processes.jsonl and EventAdmin (lists in tests). */
interface ProcessOutput {
    void jsonRecord(Map<String, Object> record);

    void publish(String topic, Map<String, Object> properties);
}
