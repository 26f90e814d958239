package plugin.files;

import java.util.Map;

/** Where the tracker's results go: the two log files and EventAdmin (files, or lists in tests). */
interface FileOutput {
    /** One line of files.log (no line break). */
    void logLine(String line);

    /** One record of files.jsonl. */
    void jsonRecord(Map<String, Object> record);

    /** An abiscope/file/* event. */
    void publish(String topic, Map<String, Object> properties);
}
