package io.divastream.jobs.metrics;

import io.divastream.jobs.events.ImageEmbedding;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.jobs.events.PromotionDecision;
import io.divastream.jobs.events.PromotionDecision.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which version serves (docs/continual.md): the {@link PromotionGate}'s decisions on scored versions, overruled by
 * operators' commands. A pin holds the promoted version (later versions are refused until an unpin); a rollback is a
 * version republished from an earlier one's exported parameters, promoted and pinned when it is scored.
 * Deterministic in its inputs, so a restored scorer decides as an uninterrupted one. Not thread-safe.
 */
final class ServingControl {

    private final PromotionGate gate;
    /** The command holding the promoted version (a pin, or the rollback that published it), or null. */
    private OperatorCommand.Applied pin;
    /** Rollbacks published and the scorer has not decided yet, by published version. */
    private final TreeMap<Long, OperatorCommand.Applied> rollbacks = new TreeMap<>();

    /**
     * Creates a control with nothing promoted.
     *
     * @param gate the gate
     */
    ServingControl(PromotionGate gate) {
        this.gate = gate;
    }

    /**
     * Whether a version must be decided on even if the protocol would not score it: a rollback.
     *
     * @param version the version
     * @return true if it is a rollback not decided yet
     */
    boolean mustDecide(long version) {
        return rollbacks.containsKey(version);
    }

    /**
     * Decides on a scored version: the gate's decision, unless it is a rollback (promoted and pinned) or promotion is
     * pinned (refused).
     *
     * @param candidate the version's held-out rows, all at the version, sorted by image id
     * @param promotedRows the promoted version's held-out rows (empty without one)
     * @param trainingStep the version's step
     * @param now the decision's time
     * @return the decision, applied
     */
    PromotionDecision decide(
            List<ImageEmbedding> candidate, List<ImageEmbedding> promotedRows, long trainingStep, long now) {
        PromotionDecision gated = gate.decide(candidate, promotedRows, trainingStep, now);
        long version = gated.modelVersion();
        OperatorCommand.Applied rollback = rollbacks.remove(version);
        if (rollback != null) {
            OperatorCommand c = rollback.command();
            gate.promote(version);
            pin = rollback;
            return with(
                    gated,
                    Kind.ROLLED_BACK,
                    version,
                    String.format(
                            Locale.ROOT,
                            "rolls back to version %d's parameters (command %s%s): serves, pinned until an unpin;"
                                    + " the gate's figures: %s",
                            c.modelVersion(),
                            c.commandId(),
                            by(c),
                            gated.reason()),
                    c.commandId());
        }
        if (pin != null) {
            return with(
                    gated,
                    Kind.REFUSED,
                    gate.promoted(),
                    String.format(
                            Locale.ROOT,
                            "promotion is pinned to version %d (command %s); the gate's figures: %s",
                            gate.promoted(),
                            pin.command().commandId(),
                            gated.reason()),
                    "");
        }
        if (gated.promoted()) {
            gate.promote(version);
        }
        return gated;
    }

    /**
     * Rejects the pending rollbacks of versions older than one the scorer reached: they were never complete (the
     * trainer published a newer version before the catalogue was re-embedded with them), so they never serve.
     *
     * @param version the version the scorer reached
     * @param now the decisions' time
     * @return a rejection per rollback passed over
     */
    List<PromotionDecision> passedOver(long version, long now) {
        List<PromotionDecision> out = new ArrayList<>();
        var skipped = rollbacks.headMap(version);
        for (OperatorCommand.Applied a : skipped.values()) {
            out.add(rejected(
                    a.command(),
                    "version " + a.publishedVersion() + ", published with version "
                            + a.command().modelVersion()
                            + "'s parameters, was passed over: the trainer published version " + version
                            + " before the held-out images were embedded with it",
                    now));
        }
        skipped.clear();
        return out;
    }

    /**
     * Applies an operator's command (after the version publisher).
     *
     * @param applied the command as the version publisher applied it
     * @param lastScored the newest version the scorer has scored or passed over
     * @param now the decision's time
     * @return the decision to record now; empty for a rollback published and the scorer has yet to score,
     *     decided then
     */
    Optional<PromotionDecision> command(OperatorCommand.Applied applied, long lastScored, long now) {
        OperatorCommand c = applied.command();
        long promoted = gate.promoted();
        if (applied.problem() != null) {
            return Optional.of(rejected(c, applied.problem(), now));
        }
        switch (c.action()) {
            case PIN -> {
                if (promoted < 0) {
                    return Optional.of(rejected(c, "no version is promoted yet, so there is nothing to pin", now));
                }
                if (c.modelVersion() >= 0 && c.modelVersion() != promoted) {
                    return Optional.of(rejected(
                            c,
                            String.format(
                                    Locale.ROOT,
                                    "version %d is not the promoted version %d: a pin holds what serves (a rollback"
                                            + " command serves an earlier version)",
                                    c.modelVersion(),
                                    promoted),
                            now));
                }
                if (pin != null) {
                    return Optional.of(rejected(
                            c,
                            "promotion is already pinned (command "
                                    + pin.command().commandId() + ")",
                            now));
                }
                pin = applied;
                return Optional.of(commandDecision(
                        c,
                        Kind.PINNED,
                        promoted,
                        "version " + promoted + " pinned" + by(c) + reason(c) + ": later versions are refused",
                        now));
            }
            case UNPIN -> {
                if (pin == null) {
                    return Optional.of(rejected(c, "nothing is pinned", now));
                }
                String held = pin.command().commandId();
                pin = null;
                return Optional.of(commandDecision(
                        c,
                        Kind.UNPINNED,
                        promoted,
                        "unpinned" + by(c) + reason(c) + " (the pin was command " + held
                                + "): the gate decides the next versions against version " + promoted,
                        now));
            }
            case ROLLBACK -> {
                if (applied.publishedVersion() > lastScored) {
                    rollbacks.put(applied.publishedVersion(), applied);
                    return Optional.empty();
                }
                // the scorer passed the published version before the command reached it (it takes the
                // publisher's direct path, the version the embedders' longer one): serve it without figures
                long previous = promoted;
                gate.promote(applied.publishedVersion());
                pin = applied;
                return Optional.of(commandDecision(
                        c,
                        Kind.ROLLED_BACK,
                        applied.publishedVersion(),
                        previous,
                        "version " + applied.publishedVersion() + " republishes version " + c.modelVersion()
                                + "'s parameters" + by(c) + reason(c) + ": serves, pinned until an unpin",
                        now));
            }
            default -> throw new IllegalStateException("unknown action " + c.action());
        }
    }

    private PromotionDecision rejected(OperatorCommand c, String why, long now) {
        return commandDecision(c, Kind.COMMAND_REJECTED, c.modelVersion(), why, now);
    }

    private PromotionDecision commandDecision(OperatorCommand c, Kind kind, long version, String reason, long now) {
        return commandDecision(c, kind, version, gate.promoted(), reason, now);
    }

    private PromotionDecision commandDecision(
            OperatorCommand c, Kind kind, long version, long previous, String reason, long now) {
        PromotionPolicy policy = gate.policy();
        return new PromotionDecision(
                version,
                kind,
                gate.promoted(),
                previous,
                Double.NaN,
                Double.NaN,
                0,
                policy.tolerance(),
                policy.minEvalImages(),
                c.action() + " " + (c.modelVersion() < 0 ? "" : c.modelVersion() + " ") + "by command " + c.commandId()
                        + ": " + reason,
                -1,
                now,
                c.commandId(),
                pin != null);
    }

    private PromotionDecision with(PromotionDecision d, Kind kind, long promoted, String reason, String commandId) {
        return new PromotionDecision(
                d.modelVersion(),
                kind,
                promoted,
                d.previousVersion(),
                d.candidateRecallAt1(),
                d.promotedRecallAt1(),
                d.images(),
                d.tolerance(),
                d.minImages(),
                reason,
                d.trainingStep(),
                d.decidedAt(),
                commandId,
                pin != null);
    }

    private static String by(OperatorCommand c) {
        return c.issuedBy().isEmpty() ? "" : " by " + c.issuedBy();
    }

    private static String reason(OperatorCommand c) {
        return c.reason().isEmpty() ? "" : " (" + c.reason() + ")";
    }

    /**
     * The promoted version.
     *
     * @return it, -1 if none
     */
    long promoted() {
        return gate.promoted();
    }

    /**
     * The command holding the promoted version, for a checkpoint.
     *
     * @return the pin or the rollback that published the pinned version; empty if not pinned
     */
    List<OperatorCommand.Applied> pin() {
        return pin == null ? List.of() : List.of(pin);
    }

    /**
     * The rollbacks published and not decided yet, for a checkpoint.
     *
     * @return them, by published version
     */
    List<OperatorCommand.Applied> pendingRollbacks() {
        return List.copyOf(rollbacks.values());
    }

    /**
     * Restores a checkpoint.
     *
     * @param promoted the promoted version, -1 for none
     * @param pinBy what {@link #pin()} gave
     * @param pending what {@link #pendingRollbacks()} gave
     */
    void restore(long promoted, Iterable<OperatorCommand.Applied> pinBy, Iterable<OperatorCommand.Applied> pending) {
        gate.promote(promoted);
        pinBy.forEach(p -> pin = p);
        pending.forEach(r -> rollbacks.put(r.publishedVersion(), r));
    }

    /**
     * Whether promotion is pinned.
     *
     * @return true if so
     */
    boolean pinned() {
        return pin != null;
    }
}
