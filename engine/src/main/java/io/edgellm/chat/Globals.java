package io.edgellm.chat;

import java.time.LocalDateTime;
import java.util.Locale;

/**
 * The global functions Hugging Face's chat-template environment adds: {@code raise_exception} and
 * {@code strftime_now}. Public only because Jinjava calls them by reflection.
 */
public final class Globals {
    private Globals() {
    }

    /**
     * {@code raise_exception(message)}: aborts the render with {@link ChatTemplateException} carrying {@code message}.
     *
     * @param message the template's message
     * @return never returns normally
     * @throws ChatTemplateException always
     */
    public static Object raiseException(Object message) {
        String m = String.valueOf(message);
        ChatTemplate.RenderState st = ChatTemplate.state();
        if (st != null && st.raised == null) st.raised = m;
        throw new ChatTemplateException(m, true, null);
    }

    /**
     * {@code strftime_now(format)}: Python's {@code datetime.now().strftime(format)} in the C locale, "now" being the
     * template's clock ({@link ChatTemplate#withClock}).
     *
     * @param format a Python strftime format
     * @return the formatted time
     */
    public static String strftimeNow(String format) {
        ChatTemplate.RenderState st = ChatTemplate.state();
        LocalDateTime now = st != null ? st.now.get() : LocalDateTime.now();
        return strftime(now, format);
    }

    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December"};

    /**
     * Formats like C/Python {@code strftime} in the C locale: {@code %a %A %b %B %c %d %e %H %I %j %m %M %p %S %y %Y
     * %Z (empty) %z (empty) %%}; other directives are kept as written.
     *
     * @param t      the local date-time
     * @param format the format
     * @return the text
     */
    static String strftime(LocalDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String day = DAYS[t.getDayOfWeek().getValue() - 1];
            String month = MONTHS[t.getMonthValue() - 1];
            int h12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
            switch (d) {
                case 'a' -> sb.append(day, 0, 3);
                case 'A' -> sb.append(day);
                case 'b', 'h' -> sb.append(month, 0, 3);
                case 'B' -> sb.append(month);
                case 'c' -> sb.append(String.format(Locale.ROOT, "%s %s %2d %02d:%02d:%02d %d", day.substring(0, 3),
                        month.substring(0, 3), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getYear()));
                case 'd' -> sb.append(two(t.getDayOfMonth()));
                case 'e' -> sb.append(String.format(Locale.ROOT, "%2d", t.getDayOfMonth()));
                case 'H' -> sb.append(two(t.getHour()));
                case 'I' -> sb.append(two(h12));
                case 'j' -> sb.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
                case 'm' -> sb.append(two(t.getMonthValue()));
                case 'M' -> sb.append(two(t.getMinute()));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'S' -> sb.append(two(t.getSecond()));
                case 'y' -> sb.append(two(t.getYear() % 100));
                case 'Y' -> sb.append(t.getYear());
                case 'F' -> sb.append(String.format(Locale.ROOT, "%d-%02d-%02d", t.getYear(), t.getMonthValue(),
                        t.getDayOfMonth()));
                case 'Z', 'z' -> { }
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
