package plugin.processes;

import java.util.List;
import java.util.Locale;

/**
 * The timeline picture: one lane per process or thread over guest instruction count, a diamond for
 * each exec, a square for the exit, and a line from the parent's lane to where each child begins.
 * A self-contained SVG (no script, no external font): any browser or image viewer shows it.
 */
final class TimelineSvg {
    private static final int WIDTH = 1200, LABEL_W = 300, RIGHT = 40, TOP = 64, LANE = 30, BAR = 12;
    private static final String PROCESS = "#4a7fb5", THREAD = "#e0a040", EXEC = "#2e9e5b", EXIT = "#c0392b", LINK = "#888";

    private TimelineSvg() {}

    static String render(String title, List<ProcessNode> nodes, ProcessTree tree, long maxIcount) {
        long min = Long.MAX_VALUE;
        for (ProcessNode n : nodes) if (n.createdIcount >= 0) min = Math.min(min, n.createdIcount);
        if (min == Long.MAX_VALUE) min = 0;
        long max = Math.max(maxIcount, min + 1);
        Scale x = new Scale(min, max, LABEL_W, WIDTH - RIGHT);
        int height = TOP + Math.max(1, nodes.size()) * LANE + 60;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
         .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, 12, 22, 16, "bold", "start", title.length() > 120 ? title.substring(0, 119) + "…" : title);
        axis(s, x, height - 50);
        for (int i = 0; i < nodes.size(); i++) {
            if (i % 2 == 1) s.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f6f8\"/>%n", TOP + i * LANE, WIDTH, LANE));
        }
        for (ProcessNode n : nodes) links(s, n, tree, x);
        for (ProcessNode n : nodes) lane(s, n, x, max);
        legend(s, height - 18);
        return s.append("</svg>\n").toString();
    }

    private static int laneMid(ProcessNode n) { return TOP + n.order * LANE + LANE / 2; }

    private static void lane(StringBuilder s, ProcessNode n, Scale x, long max) {
        int y = laneMid(n);
        String label = n.pid + "  " + n.imageName() + (n.thread ? "  (thread)" : "");
        text(s, 12, y + 4, 12, "bold", "start", label);
        String args = String.join(" ", n.argv);
        if (args.length() > 30) args = args.substring(0, 29) + "…";
        text(s, 120, y + 4, 11, "normal", "start", args);
        double x0 = x.at(Math.max(n.createdIcount, 0)), x1 = x.at(n.exited ? n.exitIcount : max);
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\"%s><title>%s</title></rect>%n",
                x0, y - BAR / 2, Math.max(2, x1 - x0), BAR, n.thread ? THREAD : PROCESS,
                n.createSeen || n.childSideSeen || n.startSeen ? "" : " fill-opacity=\"0.5\" stroke=\"#333\" stroke-dasharray=\"3,2\"",
                esc(label + " " + String.join(" ", n.argv) + ", from instruction " + n.createdIcount
                        + (n.exited ? " to " + n.exitIcount : ", still running"))));
        for (ProcessNode.Exec e : n.execs) {
            double ex = x.at(e.icount());
            s.append(String.format(Locale.ROOT, "<path d=\"M %.1f %d l 6 8 l -6 8 l -6 -8 z\" fill=\"%s\" stroke=\"white\"><title>%s</title></path>%n",
                    ex, y - 8, EXEC, esc("exec " + e.image() + " " + String.join(" ", e.argv()) + " at instruction " + e.icount())));
        }
        if (n.exited) {
            double ex = x.at(n.exitIcount);
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"><title>%s</title></rect>%n",
                    ex - 5, y - 5, EXIT, esc("exit " + n.status + " at instruction " + n.exitIcount)));
            text(s, (int) ex + 8, y + 4, 11, "normal", "start", "exit " + (n.status == null ? "?" : n.status));
        }
    }

    private static void links(StringBuilder s, ProcessNode n, ProcessTree tree, Scale x) {
        ProcessNode parent = tree.parentOf(n);
        if (parent == null) return;
        double lx = x.at(Math.max(n.createdIcount, 0));
        int y0 = laneMid(parent), y1 = laneMid(n);
        int dir = y1 > y0 ? 1 : -1;
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                lx, y0, lx, y1 - dir * BAR / 2, LINK));
        s.append(String.format(Locale.ROOT, "<path d=\"M %.1f %d l -4 %d l 8 0 z\" fill=\"%s\"/>%n",
                lx, y1 - dir * BAR / 2, -dir * 7, LINK));
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"3\" fill=\"%s\"/>%n", lx, y0, LINK));
    }

    private static void axis(StringBuilder s, Scale x, int bottom) {
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LABEL_W, TOP - 8, WIDTH - RIGHT, TOP - 8));
        double step = niceStep((x.max - x.min) / 8.0);
        for (double v = Math.ceil(x.min / step) * step; v <= x.max; v += step) {
            double px = x.at((long) v);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, TOP - 8, px, bottom));
            text(s, (int) px, TOP - 14, 11, "normal", "middle", human(v));
        }
        text(s, LABEL_W, TOP - 30, 11, "normal", "start", "guest instructions executed →");
        text(s, 12, TOP - 14, 11, "bold", "start", "pid  image   argv");
    }

    private static void legend(StringBuilder s, int y) {
        int lx = 12;
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"10\" fill=\"%s\"/>", lx, y - 9, PROCESS));
        text(s, lx + 24, y, 11, "normal", "start", "process");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"10\" fill=\"%s\"/>", lx + 90, y - 9, THREAD));
        text(s, lx + 114, y, 11, "normal", "start", "thread");
        s.append(String.format(Locale.ROOT, "<path d=\"M %d %d l 6 8 l -6 8 l -6 -8 z\" fill=\"%s\"/>", lx + 186, y - 12, EXEC));
        text(s, lx + 196, y, 11, "normal", "start", "exec");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx + 250, y - 9, EXIT));
        text(s, lx + 266, y, 11, "normal", "start", "exit (status)");
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"/>", lx + 360, y - 10, lx + 360, y + 2, LINK));
        text(s, lx + 368, y, 11, "normal", "start", "parent → child (fork/clone)");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"10\" fill=\"%s\" fill-opacity=\"0.5\" stroke=\"#333\" stroke-dasharray=\"3,2\"/>", lx + 560, y - 9, PROCESS));
        text(s, lx + 584, y, 11, "normal", "start", "creation not seen (started by the loader, or before tracing)");
        s.append('\n');
    }

    private static void text(StringBuilder s, int x, int y, int size, String weight, String anchor, String t) {
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n",
                x, y, size, weight, anchor, esc(t)));
    }

    static double niceStep(double raw) {
        if (raw <= 1) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    static String human(double v) {
        if (v >= 1e9) return trim(v / 1e9) + "G";
        if (v >= 1e6) return trim(v / 1e6) + "M";
        if (v >= 1e3) return trim(v / 1e3) + "k";
        return trim(v);
    }

    private static String trim(double v) {
        String t = String.format(Locale.ROOT, "%.2f", v);
        return t.contains(".") ? t.replaceAll("0+$", "").replaceAll("\\.$", "") : t;
    }

    static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Linear map from instruction count to x pixels. */
    private record Scale(long min, long max, int left, int right) {
        double at(long icount) { return left + (double) (icount - min) / (max - min) * (right - left); }
    }
}
