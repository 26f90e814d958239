package emulator.x86.diff;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON form of a {@link MachineState}, the same schema the emulator's {@code raw} command prints:
 *
 * <pre>
 * {"arch":"x86_64"|"i386",
 *  "regs":{"rax":"0x…",…,"r15":"0x…","rip":"0x…","rflags":"0x…","fs_base":"0x…","gs_base":"0x…"},
 *         (i386: "eax"…"edi","eip","eflags","fs_base","gs_base")
 *  "xmm":["0x&lt;32 hex digits&gt;",…]          (16 entries; i386: 8; value = high:low 128-bit number)
 *  "mxcsr":"0x1f80",
 *  "x87":{"fcw":"0x37f","fsw":"0x0","ftw":"0x0" (abridged FXSAVE tag),
 *         "st":["0x&lt;20 hex digits&gt;",…]}   (ST(0)..ST(7): 4 digits sign/exponent, 16 significand)
 *  "memory":[{"addr":"0x…","hex":"…"}],      (bytes in address order, 2 hex digits each)
 *  "fault":null | {"kind":"signal"|"timeout","signal":11,"code":1,"addr":"0x…"}}
 * </pre>
 *
 * The parser is lenient: numbers may be hex strings or JSON integers, missing members keep the
 * {@link MachineState} defaults, unknown members are ignored, short hex strings are zero-extended.
 */
public final class MachineStateJson {

    private MachineStateJson() {
    }

    public static String write(MachineState s) {
        StringBuilder b = new StringBuilder(256 + s.memory.stream().mapToInt(r -> r.bytes().length * 2).sum());
        b.append("{\"arch\":\"").append(s.bits == 64 ? "x86_64" : "i386").append("\",\"regs\":{");
        for (int i = 0; i < s.gprCount(); i++) {
            b.append('"').append(s.gprName(i)).append("\":\"").append(hex(s.gpr[i])).append("\",");
        }
        b.append('"').append(s.ripName()).append("\":\"").append(hex(s.rip)).append("\",");
        b.append('"').append(s.flagsName()).append("\":\"").append(hex(s.rflags)).append("\",");
        b.append("\"fs_base\":\"").append(hex(s.fsBase)).append("\",\"gs_base\":\"").append(hex(s.gsBase))
                .append("\"},\"xmm\":[");
        int nx = s.bits == 64 ? 16 : 8;
        for (int i = 0; i < nx; i++) b.append(i == 0 ? "" : ",").append('"').append(StateDiff.xmmHex(s.xmm[i])).append('"');
        b.append("],\"mxcsr\":\"").append(hex(s.mxcsr & 0xFFFFFFFFL)).append("\",\"x87\":{\"fcw\":\"")
                .append(hex(s.fcw)).append("\",\"fsw\":\"").append(hex(s.fsw)).append("\",\"ftw\":\"")
                .append(hex(s.ftw)).append("\",\"st\":[");
        for (int i = 0; i < 8; i++) b.append(i == 0 ? "" : ",").append('"').append(s.st[i].toHex()).append('"');
        b.append("]},\"memory\":[");
        for (int i = 0; i < s.memory.size(); i++) {
            MachineState.Region r = s.memory.get(i);
            b.append(i == 0 ? "" : ",").append("{\"addr\":\"").append(hex(r.addr())).append("\",\"hex\":\"")
                    .append(HexFormat.of().formatHex(r.bytes())).append("\"}");
        }
        b.append("],\"fault\":");
        MachineState.Fault f = s.fault;
        if (f == null) {
            b.append("null");
        } else {
            b.append("{\"kind\":\"").append(f.isTimeout() ? "timeout" : "signal").append("\",\"signal\":")
                    .append(f.signal()).append(",\"code\":").append(f.code()).append(",\"addr\":\"")
                    .append(hex(f.addr())).append("\"}");
        }
        return b.append('}').toString();
    }

    public static MachineState parse(String json) {
        Object root = new Parser(json).parseTop();
        if (!(root instanceof Map<?, ?> m)) throw new IllegalArgumentException("JSON object expected");
        String arch = String.valueOf(m.get("arch"));
        int bits = switch (arch) {
            case "x86_64", "amd64", "x86-64" -> 64;
            case "i386", "x86", "i686" -> 32;
            default -> throw new IllegalArgumentException("unknown arch " + arch);
        };
        MachineState s = new MachineState(bits);
        if (m.get("regs") instanceof Map<?, ?> regs) {
            for (var e : regs.entrySet()) {
                String k = String.valueOf(e.getKey());
                long v = num(e.getValue());
                switch (k) {
                    case "rip", "eip" -> s.rip = v & s.mask();
                    case "rflags", "eflags" -> s.rflags = v & s.mask();
                    case "fs_base" -> s.fsBase = v;
                    case "gs_base" -> s.gsBase = v;
                    default -> {
                        int i = MachineState.gprIndex(k);
                        if (i >= 0 && i < s.gprCount()) s.gpr[i] = v & s.mask();
                    }
                }
            }
        }
        if (m.get("xmm") instanceof List<?> xs) {
            for (int i = 0; i < xs.size() && i < 16; i++) {
                BigInteger v = big(xs.get(i));
                s.xmm[i][0] = v.longValue();
                s.xmm[i][1] = v.shiftRight(64).longValue();
            }
        }
        if (m.containsKey("mxcsr")) s.mxcsr = (int) num(m.get("mxcsr"));
        if (m.get("x87") instanceof Map<?, ?> x) {
            if (x.containsKey("fcw")) s.fcw = (int) num(x.get("fcw")) & 0xFFFF;
            if (x.containsKey("fsw")) s.fsw = (int) num(x.get("fsw")) & 0xFFFF;
            if (x.containsKey("ftw")) s.ftw = (int) num(x.get("ftw")) & 0xFF;
            if (x.get("st") instanceof List<?> st) {
                for (int i = 0; i < st.size() && i < 8; i++) {
                    BigInteger v = big(st.get(i));
                    s.st[i] = new Float80(v.shiftRight(64).intValue() & 0xFFFF, v.longValue());
                }
            }
        }
        if (m.get("memory") instanceof List<?> mem) {
            for (Object o : mem) {
                if (!(o instanceof Map<?, ?> r)) throw new IllegalArgumentException("memory entry must be an object");
                String hex = String.valueOf(r.get("hex"));
                s.memory.add(new MachineState.Region(num(r.get("addr")), HexFormat.of().parseHex(hex)));
            }
        }
        if (m.get("fault") instanceof Map<?, ?> f) {
            boolean timeout = "timeout".equals(f.get("kind"));
            s.fault = new MachineState.Fault(timeout ? MachineState.Fault.Kind.TIMEOUT : MachineState.Fault.Kind.SIGNAL,
                    f.containsKey("signal") ? (int) num(f.get("signal")) : 0,
                    f.containsKey("code") ? (int) num(f.get("code")) : 0,
                    f.containsKey("addr") ? num(f.get("addr")) : 0, 0, 0);
        }
        return s;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static long num(Object o) {
        return big(o).longValue();
    }

    private static BigInteger big(Object o) {
        if (o instanceof Long l) return BigInteger.valueOf(l);
        if (o instanceof BigInteger b) return b;
        if (o instanceof String s) {
            String t = s.strip();
            boolean neg = t.startsWith("-");
            if (neg) t = t.substring(1);
            BigInteger v = t.startsWith("0x") || t.startsWith("0X") ? new BigInteger(t.substring(2), 16)
                    : new BigInteger(t);
            return neg ? v.negate() : v;
        }
        throw new IllegalArgumentException("number expected, got " + o);
    }

    /** Minimal JSON parser: objects to LinkedHashMap, arrays to List, integers to Long/BigInteger. */
    static final class Parser {
        private final String s;
        private int p;

        Parser(String s) {
            this.s = s;
        }

        Object parseTop() {
            Object v = value();
            ws();
            if (p != s.length()) throw err("trailing characters");
            return v;
        }

        private Object value() {
            ws();
            if (p >= s.length()) throw err("unexpected end");
            char c = s.charAt(p);
            switch (c) {
                case '{' -> {
                    p++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) return m;
                    do {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        m.put(k, value());
                        ws();
                    } while (eat(','));
                    expect('}');
                    return m;
                }
                case '[' -> {
                    p++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) return l;
                    do {
                        l.add(value());
                        ws();
                    } while (eat(','));
                    expect(']');
                    return l;
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (s.startsWith("null", p)) { p += 4; return null; }
                    if (s.startsWith("true", p)) { p += 4; return Boolean.TRUE; }
                    if (s.startsWith("false", p)) { p += 5; return Boolean.FALSE; }
                    int st = p;
                    while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) p++;
                    String t = s.substring(st, p);
                    if (t.isEmpty()) throw err("unexpected character '" + c + "'");
                    if (t.contains(".") || t.contains("e") || t.contains("E")) return Double.parseDouble(t);
                    BigInteger b = new BigInteger(t);
                    return b.bitLength() < 64 ? (Object) b.longValue() : b;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (p >= s.length()) throw err("unterminated string");
                char c = s.charAt(p++);
                if (c == '"') return b.toString();
                if (c == '\\') {
                    char e = s.charAt(p++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> { b.append((char) Integer.parseInt(s.substring(p, p + 4), 16)); p += 4; }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private void ws() {
            while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++;
        }

        private boolean peek(char c) {
            if (p < s.length() && s.charAt(p) == c) { p++; return true; }
            return false;
        }

        private boolean eat(char c) {
            return peek(c);
        }

        private void expect(char c) {
            if (p >= s.length() || s.charAt(p) != c) throw err("expected '" + c + "'");
            p++;
        }

        private IllegalArgumentException err(String msg) {
            return new IllegalArgumentException("JSON: " + msg + " at offset " + p);
        }
    }
}
