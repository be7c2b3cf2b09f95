package io.divastream.jobs.decode;

import io.divastream.connectors.avro.AvroCodec;
import io.divastream.connectors.avro.RecordCodec;
import io.divastream.connectors.avro.RecordDecodingException;
import io.divastream.connectors.dlq.DeadLetters;
import io.divastream.connectors.kafka.RawRecord;
import io.divastream.connectors.kafka.RecordSizeLimit;
import io.divastream.jobs.events.DeadLetterEvent;
import io.divastream.jobs.events.OperatorCommand;
import io.divastream.schemas.DeadLetterReason;
import io.divastream.schemas.PromotionCommand;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes operators' commands ({@code PromotionCommand}) from the commands topic. A record that is not one, or whose
 * texts exceed their bounds, goes to the dead-letter topic ({@code UNDECODABLE_RECORD}) and never stops the job.
 */
public final class CommandDecoder extends ProcessFunction<RawRecord, OperatorCommand> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CommandDecoder.class);

    /** The stage named in dead letters. */
    public static final String STAGE = "decode-commands";

    /** The longest command id accepted. */
    public static final int MAX_ID_CHARS = 200;

    /** The longest issuer or reason accepted. */
    public static final int MAX_TEXT_CHARS = 1000;

    /** Records that are not commands. */
    public static final OutputTag<DeadLetterEvent> DEAD_LETTERS =
            new OutputTag<>("command-dead-letters", TypeInformation.of(DeadLetterEvent.class));

    private final int deadLetterValueBytes;
    private RecordCodec<PromotionCommand> codec = AvroCodec.of(PromotionCommand.class);

    /**
     * Creates the decoder.
     *
     * @param deadLetterLimit the dead-letter producer's record size limit (bounds the bytes kept)
     */
    public CommandDecoder(RecordSizeLimit deadLetterLimit) {
        this.deadLetterValueBytes = DeadLetters.maxValueBytes(deadLetterLimit);
    }

    /**
     * Reads the commands in another wire format than single-object encoding ({@code serde.format}).
     *
     * @param commandCodec the codec of the commands on their topic
     * @return this decoder
     */
    public CommandDecoder reading(RecordCodec<PromotionCommand> commandCodec) {
        this.codec = java.util.Objects.requireNonNull(commandCodec, "commandCodec");
        return this;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<OperatorCommand> out) {
        OperatorCommand command;
        try {
            command = command(codec.decode(record.value()));
        } catch (RecordDecodingException | IllegalArgumentException e) {
            reject(record, "not a promotion command: " + e.getMessage(), ctx);
            return;
        }
        if (command.commandId().isEmpty() || command.commandId().length() > MAX_ID_CHARS) {
            reject(record, "a command id needs 1 to " + MAX_ID_CHARS + " characters", ctx);
        } else if (command.issuedBy().length() > MAX_TEXT_CHARS
                || command.reason().length() > MAX_TEXT_CHARS) {
            reject(record, "issuedBy and reason take at most " + MAX_TEXT_CHARS + " characters each", ctx);
        } else {
            LOG.info(
                    "command {}: {} {}{}",
                    command.commandId(),
                    command.action(),
                    command.modelVersion(),
                    command.issuedBy().isEmpty() ? "" : " by " + command.issuedBy());
            out.collect(command);
        }
    }

    /**
     * Maps a command's wire record.
     *
     * @param c the wire record
     * @return the command
     */
    static OperatorCommand command(PromotionCommand c) {
        return new OperatorCommand(
                c.getCommandId(),
                OperatorCommand.Action.valueOf(c.getAction().name()),
                c.getModelVersion(),
                c.getIssuedBy(),
                c.getReason(),
                c.getIssuedAt().toEpochMilli());
    }

    private void reject(RawRecord record, String message, Context ctx) {
        LOG.warn("dead letter {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), message);
        ctx.output(
                DEAD_LETTERS,
                DeadLetterEvent.of(record, DeadLetterReason.UNDECODABLE_RECORD, message, STAGE, deadLetterValueBytes));
    }
}
