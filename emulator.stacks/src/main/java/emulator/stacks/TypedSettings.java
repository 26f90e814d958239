package emulator.stacks;

import emulator.api.stack.StackManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Turns the text settings of one plugin into the typed configuration its metatype declares, checking
 * each value with the metatype's own validation; every problem is one message naming file, plugin and key.
 */
final class TypedSettings {
    private TypedSettings() {}

    /**
     * @param where   "file:line" prefix builder
     * @param own     the plugin's section
     * @param common  settings for every plugin; only those the plugin declares are used
     */
    static Map<String, Object> of(String source, String pid, ObjectClassDefinition ocd,
                                  Map<String, StackFile.Setting> own, Map<String, StackFile.Setting> common) {
        Map<String, AttributeDefinition> ads = new LinkedHashMap<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) ads.put(ad.getID(), ad);
        Map<String, Object> out = new LinkedHashMap<>();
        for (StackFile.Setting s : common.values()) {
            AttributeDefinition ad = ads.get(s.key());
            if (ad != null) out.put(s.key(), value(source, pid, ad, s));
        }
        for (StackFile.Setting s : own.values()) {
            AttributeDefinition ad = ads.get(s.key());
            if (ad == null)
                throw new StackException(source + ":" + s.line() + ": " + pid + " has no setting '" + s.key()
                        + "' (its settings: " + String.join(", ", ads.keySet()) + ")");
            out.put(s.key(), value(source, pid, ad, s));
        }
        return out;
    }

    private static Object value(String source, String pid, AttributeDefinition ad, StackFile.Setting s) {
        String where = source + ":" + s.line() + ": " + pid + " " + s.key() + " = '" + s.value() + "': ";
        if (ad.getCardinality() == 0) return convert(where, ad, s.value(), s.key());
        List<String> parts = new ArrayList<>();
        for (String p : s.value().split(",")) if (!p.isBlank()) parts.add(p.strip());
        int max = Math.abs(ad.getCardinality());
        if (parts.size() > max) throw new StackException(where + "at most " + max + " values");
        Object[] typed = new Object[parts.size()];
        for (int i = 0; i < typed.length; i++) typed[i] = convert(where, ad, parts.get(i), s.key());
        return array(ad.getType(), typed);
    }

    private static Object convert(String where, AttributeDefinition ad, String text, String key) {
        Object v;
        try {
            v = switch (ad.getType()) {
                case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> text;
                case AttributeDefinition.LONG -> Long.decode(text);
                case AttributeDefinition.INTEGER -> Integer.decode(text);
                case AttributeDefinition.SHORT -> Short.decode(text);
                case AttributeDefinition.BYTE -> Byte.decode(text);
                case AttributeDefinition.DOUBLE -> Double.valueOf(text);
                case AttributeDefinition.FLOAT -> Float.valueOf(text);
                case AttributeDefinition.CHARACTER -> {
                    if (text.length() != 1) throw new NumberFormatException();
                    yield text.charAt(0);
                }
                case AttributeDefinition.BOOLEAN -> switch (text) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new NumberFormatException();
                };
                default -> throw new StackException(where + "unsupported metatype type " + ad.getType());
            };
        } catch (NumberFormatException e) {
            throw new StackException(where + "not a " + typeName(ad.getType()));
        }
        String problem = ad.validate(String.valueOf(v));
        if (problem != null && !problem.isEmpty()) throw new StackException(where + problem);
        if (key.equals(StackManager.TRACE_DIR) && v instanceof String dir)
            v = Path.of(dir).toAbsolutePath().normalize().toString(); // relative to the runtime's working folder
        return v;
    }

    private static Object array(int type, Object[] values) {
        return switch (type) {
            case AttributeDefinition.LONG -> Arrays.stream(values).mapToLong(o -> (Long) o).toArray();
            case AttributeDefinition.INTEGER -> Arrays.stream(values).mapToInt(o -> (Integer) o).toArray();
            case AttributeDefinition.BOOLEAN -> {
                boolean[] b = new boolean[values.length];
                for (int i = 0; i < b.length; i++) b[i] = (Boolean) values[i];
                yield b;
            }
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> Arrays.copyOf(values, values.length, String[].class);
            default -> values;
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.LONG, AttributeDefinition.INTEGER, AttributeDefinition.SHORT, AttributeDefinition.BYTE -> "whole number";
            case AttributeDefinition.DOUBLE, AttributeDefinition.FLOAT -> "number";
            case AttributeDefinition.BOOLEAN -> "boolean (true or false)";
            case AttributeDefinition.CHARACTER -> "single character";
            default -> "string";
        };
    }
}
