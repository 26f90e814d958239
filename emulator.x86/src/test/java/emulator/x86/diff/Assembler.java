package emulator.x86.diff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Assembles Intel-syntax nasm text to bytes ({@code nasm -f bin}, {@code BITS 32|64}), with the
 * code origin at {@link NativeCpu#CODE_BASE} so absolute label references match where the
 * runner loads the code. Results are cached in memory and in {@code target/nasm-cache/} keyed by
 * SHA-256 of (bits, origin, text). {@link #assembleAll} assembles all uncached snippets in ONE
 * nasm run (each in its own bin section with {@code vstart=origin}); if that run fails (e.g. two
 * snippets define the same global label) it falls back to one nasm run per snippet.
 * Snippets must not contain SECTION/ORG directives. In nasm ';' starts a comment, so separate
 * instructions with newlines (or use {@link #lines(String...)}).
 */
public final class Assembler {

    private static final Map<String, byte[]> MEMO = new ConcurrentHashMap<>();

    private Assembler() {
    }

    /** Joins instructions with newlines. */
    public static String lines(String... instructions) {
        return String.join("\n", instructions);
    }

    public static byte[] assemble(int bits, String source) {
        return assemble(bits, NativeCpu.CODE_BASE, source);
    }

    public static byte[] assemble(int bits, long origin, String source) {
        return assembleAll(bits, origin, List.of(source)).getFirst();
    }

    public static List<byte[]> assembleAll(int bits, List<String> sources) {
        return assembleAll(bits, NativeCpu.CODE_BASE, sources);
    }

    public static List<byte[]> assembleAll(int bits, long origin, List<String> sources) {
        if (bits != 16 && bits != 32 && bits != 64) throw new IllegalArgumentException("bits " + bits);
        Path cache = cacheDir();
        byte[][] out = new byte[sources.size()][];
        String[] keys = new String[sources.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            keys[i] = key(bits, origin, sources.get(i));
            byte[] b = MEMO.get(keys[i]);
            if (b == null) {
                Path f = cache.resolve(keys[i] + ".bin");
                if (Files.isRegularFile(f)) {
                    try {
                        b = Files.readAllBytes(f);
                        MEMO.put(keys[i], b);
                    } catch (IOException e) {
                        b = null;
                    }
                }
            }
            if (b != null) out[i] = b;
            else missing.add(i);
        }
        if (!missing.isEmpty()) {
            List<String> src = missing.stream().map(sources::get).toList();
            List<byte[]> built;
            try {
                built = runNasm(bits, origin, src);
            } catch (IllegalArgumentException batchFailed) {
                if (src.size() == 1) throw batchFailed;
                built = new ArrayList<>();
                for (String s : src) built.add(runNasm(bits, origin, List.of(s)).getFirst());
            }
            for (int j = 0; j < missing.size(); j++) {
                int i = missing.get(j);
                out[i] = built.get(j);
                MEMO.put(keys[i], out[i]);
                store(cache.resolve(keys[i] + ".bin"), out[i]);
            }
        }
        List<byte[]> res = new ArrayList<>(out.length);
        for (byte[] b : out) res.add(b.clone());
        return res;
    }

    private static List<byte[]> runNasm(int bits, long origin, List<String> sources) {
        StringBuilder a = new StringBuilder();
        a.append("BITS ").append(bits).append('\n');
        int n = sources.size();
        for (int i = 0; i < n; i++) {
            a.append("SECTION s").append(i).append(" progbits ")
                    .append(i == 0 ? "" : "follows=s" + (i - 1) + " ")
                    .append("vstart=0x").append(Long.toHexString(origin)).append(" align=1\n");
            a.append("__snip_b_").append(i).append(":\n");
            a.append(sources.get(i)).append('\n');
            a.append("__snip_e_").append(i).append(":\n");
        }
        a.append("SECTION __tbl progbits follows=s").append(n - 1).append(" vstart=0 align=1\n");
        for (int i = 0; i < n; i++) {
            a.append("dd section.s").append(i).append(".start, __snip_e_").append(i).append(" - __snip_b_")
                    .append(i).append('\n');
        }
        try {
            Path dir = Files.createDirectories(NativeCpu.moduleDir().resolve("target/nasm-tmp"));
            Path in = Files.createTempFile(dir, "snip", ".asm");
            Path outFile = Path.of(in.toString().replace(".asm", ".bin"));
            try {
                Files.writeString(in, a, StandardCharsets.UTF_8);
                Process p = new ProcessBuilder("nasm", "-f", "bin", "-o", outFile.toString(), in.toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) {
                    throw new IllegalArgumentException("nasm failed:\n" + log
                            + (n == 1 ? "\nsource (BITS " + bits + "):\n" + sources.getFirst() : ""));
                }
                byte[] bin = Files.readAllBytes(outFile);
                ByteBuffer tbl = ByteBuffer.wrap(bin, bin.length - 8 * n, 8 * n).order(ByteOrder.LITTLE_ENDIAN);
                List<byte[]> res = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int start = tbl.getInt(), len = tbl.getInt();
                    byte[] code = new byte[len];
                    System.arraycopy(bin, start, code, 0, len);
                    res.add(code);
                }
                return res;
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(outFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path cacheDir() {
        try {
            return Files.createDirectories(NativeCpu.moduleDir().resolve("target/nasm-cache"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void store(Path f, byte[] b) {
        try {
            Path tmp = Files.createTempFile(f.getParent(), "c", ".tmp");
            Files.write(tmp, b);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // cache only
        }
    }

    private static String key(int bits, long origin, String source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("nasm-bin\0" + bits + "\0" + origin + "\0").getBytes(StandardCharsets.UTF_8));
            md.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
