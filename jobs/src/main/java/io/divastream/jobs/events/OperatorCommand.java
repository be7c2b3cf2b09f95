package io.divastream.jobs.events;

import java.util.Objects;

/**
 * An operator's command on which model version serves, as read from the commands topic (docs/continual.md).
 *
 * @param commandId the id the operator's tool chose, echoed in the decision
 * @param action what to do
 * @param modelVersion the version pinned or rolled back to; -1 for {@link Action#UNPIN}, and for a {@link Action#PIN}
 *     of whichever version is promoted when the job applies it
 * @param issuedBy who issued it (free text, may be empty)
 * @param reason why (free text, may be empty)
 * @param issuedAt epoch milliseconds
 */
public record OperatorCommand(
        String commandId, Action action, long modelVersion, String issuedBy, String reason, long issuedAt) {

    /** What a command does. */
    public enum Action {
        /** Hold the promoted version: later versions are refused until {@link #UNPIN}. */
        PIN,
        /** Let the promotion gate promote again. */
        UNPIN,
        /** Republish an earlier version's exported parameters as a new version that serves, pinned. */
        ROLLBACK
    }

    /** Checks the fields. */
    public OperatorCommand {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(issuedBy, "issuedBy");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The command as the version publisher applied it (a rollback publishes a new version there).
     *
     * @param publishedVersion the version published for a rollback, -1 for other commands or if it
     *     could not
     * @param problem why the publisher could not apply it, null if it did (or had nothing to do)
     * @return the applied command
     */
    public Applied applied(long publishedVersion, String problem) {
        return new Applied(this, publishedVersion, problem);
    }

    /**
     * A command after the version publisher, on its way to the scorer, which decides and records it.
     *
     * @param command the command
     * @param publishedVersion the version published for a rollback, else -1
     * @param problem why the publisher could not apply it, or null
     */
    public record Applied(OperatorCommand command, long publishedVersion, String problem) {

        /** Checks the fields. */
        public Applied {
            Objects.requireNonNull(command, "command");
        }
    }
}
