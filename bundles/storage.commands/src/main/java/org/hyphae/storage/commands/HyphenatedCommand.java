package org.hyphae.storage.commands;

import java.io.PrintStream;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo finds a command by Java method name, which cannot hold a hyphen; a {@link Function} service
 * is called directly whatever its name. These two give {@code hyphae:storage-use} and
 * {@code hyphae:storage-migrate} their documented names.
 */
abstract class HyphenatedCommand implements Function {

    final StorageCommands commands;

    HyphenatedCommand(StorageCommands commands) {
        this.commands = commands;
    }

    /** {@code hyphae:storage-use <kind>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=storage-use"})
    public static final class Use extends HyphenatedCommand {

        /**
         * Uses the storage commands component.
         *
         * @param commands the component that does the work
         */
        @Activate
        public Use(@Reference StorageCommands commands) {
            super(commands);
        }

        @Override
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            if (arguments.size() != 1) {
                return "usage: hyphae:storage-use <kind>   (make <kind> the active storage kind: fs, memory, jdbc, ...)";
            }
            return commands.storageUse(String.valueOf(arguments.get(0)));
        }
    }

    /** {@code hyphae:storage-migrate <from> <to>}. */
    @Component(service = Function.class, property = {"osgi.command.scope=hyphae", "osgi.command.function=storage-migrate"})
    public static final class Migrate extends HyphenatedCommand {

        /**
         * Uses the storage commands component.
         *
         * @param commands the component that does the work
         */
        @Activate
        public Migrate(@Reference StorageCommands commands) {
            super(commands);
        }

        @Override
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            if (arguments.size() != 2) {
                return "usage: hyphae:storage-migrate <from> <to>   (copy every block and datastore entry, then verify)";
            }
            PrintStream console = session.getConsole() != null ? session.getConsole() : System.out;
            return commands.storageMigrate(String.valueOf(arguments.get(0)), String.valueOf(arguments.get(1)), console);
        }
    }
}
