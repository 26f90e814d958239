package plugin.processes;

import java.util.List;

/**
 * The timeline picture: one lane per process or thread over guest instruction count, a diamond for
 * each exec, a square for the exit, and a line from the parent's lane to where each child begins.
 * A self-contained SVG (no script, no external font): any browser or image viewer shows it.
 */
final class TimelineSvg {
    private static final int WIDTH = 1200, LABEL_W = 300, RIGHT = 40, TOP = 64, LANE = 30, BAR = 12;
    private static final String PROCESS = "#4a7fb5", THREAD = "#e0a040", EXEC = "#2e9e5b", EXIT = "#c0392b", LINK = "#888";
    /** What {@code %n} printed when the elements were written with String.format. */
    private static final String NL = System.lineSeparator();

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
            if (i % 2 == 1) {
                s.append("<rect x=\"0\" y=\"").append(TOP + i * LANE).append("\" width=\"").append(WIDTH).append("\" height=\"").append(LANE)
                 .append("\" fill=\"#f4f6f8\"/>").append(NL);
            }
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
        d1(s.append("<rect x=\""), x0).append("\" y=\"").append(y - BAR / 2).append("\" width=\"");
        d1(s, Math.max(2, x1 - x0)).append("\" height=\"").append(BAR).append("\" rx=\"3\" fill=\"").append(n.thread ? THREAD : PROCESS).append('"')
         .append(n.createSeen || n.childSideSeen || n.startSeen ? "" : " fill-opacity=\"0.5\" stroke=\"#333\" stroke-dasharray=\"3,2\"")
         .append("><title>").append(esc(label + " " + String.join(" ", n.argv) + ", from instruction " + n.createdIcount
                        + (n.exited ? " to " + n.exitIcount : ", still running"))).append("</title></rect>").append(NL);
        for (ProcessNode.Exec e : n.execs) {
            double ex = x.at(e.icount());
            d1(s.append("<path d=\"M "), ex).append(' ').append(y - 8).append(" l 6 8 l -6 8 l -6 -8 z\" fill=\"").append(EXEC)
             .append("\" stroke=\"white\"><title>").append(esc("exec " + e.image() + " " + String.join(" ", e.argv()) + " at instruction " + e.icount()))
             .append("</title></path>").append(NL);
        }
        if (n.exited) {
            double ex = x.at(n.exitIcount);
            d1(s.append("<rect x=\""), ex - 5).append("\" y=\"").append(y - 5).append("\" width=\"10\" height=\"10\" fill=\"").append(EXIT)
             .append("\"><title>").append(esc("exit " + n.status + " at instruction " + n.exitIcount)).append("</title></rect>").append(NL);
            text(s, (int) ex + 8, y + 4, 11, "normal", "start", "exit " + (n.status == null ? "?" : n.status));
        }
    }

    private static void links(StringBuilder s, ProcessNode n, ProcessTree tree, Scale x) {
        ProcessNode parent = tree.parentOf(n);
        if (parent == null) return;
        double lx = x.at(Math.max(n.createdIcount, 0));
        int y0 = laneMid(parent), y1 = laneMid(n);
        int dir = y1 > y0 ? 1 : -1;
        d1(s.append("<line x1=\""), lx).append("\" y1=\"").append(y0).append("\" x2=\"");
        d1(s, lx).append("\" y2=\"").append(y1 - dir * BAR / 2).append("\" stroke=\"").append(LINK).append("\" stroke-width=\"1.5\"/>").append(NL);
        d1(s.append("<path d=\"M "), lx).append(' ').append(y1 - dir * BAR / 2).append(" l -4 ").append(-dir * 7).append(" l 8 0 z\" fill=\"").append(LINK)
         .append("\"/>").append(NL);
        d1(s.append("<circle cx=\""), lx).append("\" cy=\"").append(y0).append("\" r=\"3\" fill=\"").append(LINK).append("\"/>").append(NL);
    }

    private static void axis(StringBuilder s, Scale x, int bottom) {
        s.append("<line x1=\"").append(LABEL_W).append("\" y1=\"").append(TOP - 8).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y2=\"").append(TOP - 8)
         .append("\" stroke=\"#333\"/>").append(NL);
        double step = niceStep((x.max - x.min) / 8.0);
        for (double v = Math.ceil(x.min / step) * step; v <= x.max; v += step) {
            double px = x.at((long) v);
            d1(s.append("<line x1=\""), px).append("\" y1=\"").append(TOP - 8).append("\" x2=\"");
            d1(s, px).append("\" y2=\"").append(bottom).append("\" stroke=\"#ddd\"/>").append(NL);
            text(s, (int) px, TOP - 14, 11, "normal", "middle", human(v));
        }
        text(s, LABEL_W, TOP - 30, 11, "normal", "start", "guest instructions executed →");
        text(s, 12, TOP - 14, 11, "bold", "start", "pid  image   argv");
    }

    private static void legend(StringBuilder s, int y) {
        int lx = 12;
        s.append("<rect x=\"").append(lx).append("\" y=\"").append(y - 9).append("\" width=\"18\" height=\"10\" fill=\"").append(PROCESS).append("\"/>");
        text(s, lx + 24, y, 11, "normal", "start", "process");
        s.append("<rect x=\"").append(lx + 90).append("\" y=\"").append(y - 9).append("\" width=\"18\" height=\"10\" fill=\"").append(THREAD).append("\"/>");
        text(s, lx + 114, y, 11, "normal", "start", "thread");
        s.append("<path d=\"M ").append(lx + 186).append(' ').append(y - 12).append(" l 6 8 l -6 8 l -6 -8 z\" fill=\"").append(EXEC).append("\"/>");
        text(s, lx + 196, y, 11, "normal", "start", "exec");
        s.append("<rect x=\"").append(lx + 250).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\" fill=\"").append(EXIT).append("\"/>");
        text(s, lx + 266, y, 11, "normal", "start", "exit (status)");
        s.append("<line x1=\"").append(lx + 360).append("\" y1=\"").append(y - 10).append("\" x2=\"").append(lx + 360).append("\" y2=\"").append(y + 2)
         .append("\" stroke=\"").append(LINK).append("\" stroke-width=\"1.5\"/>");
        text(s, lx + 368, y, 11, "normal", "start", "parent → child (fork/clone)");
        s.append("<rect x=\"").append(lx + 560).append("\" y=\"").append(y - 9).append("\" width=\"18\" height=\"10\" fill=\"").append(PROCESS)
         .append("\" fill-opacity=\"0.5\" stroke=\"#333\" stroke-dasharray=\"3,2\"/>");
        text(s, lx + 584, y, 11, "normal", "start", "creation not seen (started by the loader, or before tracing)");
        s.append('\n');
    }

    private static void text(StringBuilder s, int x, int y, int size, String weight, String anchor, String t) {
        s.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" font-size=\"").append(size).append("\" font-weight=\"").append(weight)
         .append("\" text-anchor=\"").append(anchor).append("\">").append(esc(t)).append("</text>").append(NL);
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

    /** {@code %.2f} without trailing zeros (and without the point when nothing follows it). */
    private static String trim(double v) {
        String t = FixedDecimal.format(v, 2);
        if (t.indexOf('.') < 0) return t;
        int end = t.length();
        while (t.charAt(end - 1) == '0') end--;
        if (t.charAt(end - 1) == '.') end--;
        return t.substring(0, end);
    }

    /** {@code %.1f}, as the elements' coordinates are written. */
    private static StringBuilder d1(StringBuilder s, double v) { return FixedDecimal.append(s, v, 1); }

    static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Linear map from instruction count to x pixels. */
    private record Scale(long min, long max, int left, int right) {
        double at(long icount) { return left + (double) (icount - min) / (max - min) * (right - left); }
    }
}
