package org.hyphae.node.internal;

import java.lang.System.Logger.Level;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Forwards warnings and errors from the OSGi Log Service (where SCR, Config Admin and fileinstall
 * report, for example a component of a dropped-in bundle that fails) to the JDK logger that the
 * node's own bundles use, so an operator sees them on the console.
 */
@Component(immediate = true)
public final class LogForwarder implements LogListener {

    private static final System.Logger LOG = System.getLogger("org.hyphae.osgi");
    private final LogReaderService reader;

    @Activate
    public LogForwarder(@Reference LogReaderService reader) {
        this.reader = reader;
        reader.addLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        Level level = switch (entry.getLogLevel()) {
            case AUDIT, ERROR -> Level.ERROR;
            case WARN -> Level.WARNING;
            default -> null;
        };
        if (level == null || !LOG.isLoggable(level)) {
            return;
        }
        String source = entry.getBundle() == null ? "framework" : entry.getBundle().getSymbolicName();
        Throwable exception = entry.getException();
        if (exception != null && LOG.isLoggable(Level.DEBUG)) {
            LOG.log(level, "[" + source + "] " + entry.getMessage(), exception);
        } else if (exception != null) {
            // One line for the operator; the stack trace at DEBUG level.
            LOG.log(level, "[" + source + "] " + entry.getMessage() + ": " + innermost(exception));
        } else {
            LOG.log(level, "[" + source + "] " + entry.getMessage());
        }
    }

    private static String innermost(Throwable exception) {
        Throwable cause = exception;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }
}
