package emulator.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StackFileTest {
    @Test
    void sectionsCommonSettingsAndComments() {
        StackFile s = StackFile.parse("x", "x.stack", List.of("# c", "traceDir = t", "", "[plugin.a]", " k = v , w ", "[plugin.b]"));
        assertEquals("t", s.common().get("traceDir").value());
        assertEquals(List.of("plugin.a", "plugin.b"), List.copyOf(s.plugins().keySet()));
        assertEquals("v , w", s.plugins().get("plugin.a").get("k").value());
        assertEquals(5, s.plugins().get("plugin.a").get("k").line());
    }

    @Test
    void malformedLinesNameFileAndLine() {
        assertEquals("x.stack:2: expected 'key = value' or '[PLUGIN-PID]', not 'oops'",
                assertThrows(StackException.class, () -> StackFile.parse("x", "x.stack", List.of("[plugin.a]", "oops"))).getMessage());
        assertEquals("x.stack:3: key k is set twice",
                assertThrows(StackException.class, () -> StackFile.parse("x", "x.stack", List.of("[plugin.a]", "k=1", "k=2"))).getMessage());
        assertEquals("x.stack:2: plugin plugin.a appears twice",
                assertThrows(StackException.class, () -> StackFile.parse("x", "x.stack", List.of("[plugin.a]", "[plugin.a]"))).getMessage());
        assertTrue(assertThrows(StackException.class, () -> StackFile.parse("x", "x.stack", List.of("k = 1"))).getMessage().contains("names no plugin"));
    }

    /** The stacks shipped at the repository root parse (their settings are checked in the runtime, against the plugins' metatype). */
    @Test
    void shippedStacksParse() throws Exception {
        Path dir = Path.of("..", "stacks");
        List<Path> files;
        try (var l = Files.list(dir)) { files = l.filter(p -> p.toString().endsWith(".stack")).sorted().toList(); }
        assertEquals(3, files.size(), "shipped stacks: " + files);
        for (Path f : files) {
            StackFile s = StackFile.read(f);
            assertTrue(s.plugins().keySet().stream().allMatch(p -> p.startsWith("plugin.")), f.toString());
            assertTrue(s.common().containsKey("traceDir"), f + " sets no traceDir");
        }
        assertTrue(StackFile.read(dir.resolve("syscalls.stack")).plugins().containsKey("plugin.syscalls.linux"));
    }
}
