package plugin.files;

import java.util.Map;

/** Where the tracker's results go: the two log files and EventAdmin (files, or lists in tests). */
interface FileOutput {
    /** One line of files.log (no line break). */
    void logLine(String line);

    /** One record of files.jsonl. */
    void jsonRecord(Map<String, Object> record);

    /**
     * Whether anyone may receive the abiscope/file/* events now. When not, the tracker does not build
     * them: with EventAdmin, posting an event nobody receives still hands it to a delivery thread.
     */
    default boolean publishing() { return true; }

    /** An abiscope/file/* event. */
    void publish(String topic, Map<String, Object> properties);
}
