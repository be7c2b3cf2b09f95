package io.divastream.datasets;

import java.util.ArrayList;
import java.util.List;

/**
 * A whitespace-separated annotation file, read into rows of a fixed number of fields. Blank lines
 * are skipped; the last field takes the rest of the line. Every error names the file and the
 * 1-based line number.
 */
final class TextTable {

    /**
     * One data row.
     *
     * @param line the 1-based line number in the file
     * @param fields the fields
     */
    record Row(int line, String[] fields) {}

    private final String location;
    private final List<String> lines;

    private TextTable(String location, List<String> lines) {
        this.location = location;
        this.lines = lines;
    }

    /**
     * Reads a file.
     *
     * @param files the dataset files
     * @param relative the file's path
     * @param what what the file is, for messages
     * @return the table
     */
    static TextTable read(DatasetFiles files, String relative, String what) {
        return new TextTable(files.location(relative), files.readLines(relative, what));
    }

    /**
     * The file's location.
     *
     * @return the location, as in messages
     */
    String location() {
        return location;
    }

    /**
     * A line of the file.
     *
     * @param number the 1-based line number
     * @return the line, or null past the end
     */
    String line(int number) {
        return number <= lines.size() ? lines.get(number - 1) : null;
    }

    /**
     * The non-blank lines from a line on, split into fields.
     *
     * @param firstLine the 1-based number of the first data line
     * @param fields the number of fields per row
     * @param header the field names, for messages
     * @return the rows
     * @throws DatasetException for a row with fewer fields, naming the file and line
     */
    List<Row> rows(int firstLine, int fields, String header) {
        List<Row> rows = new ArrayList<>();
        for (int i = firstLine - 1; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", fields);
            if (parts.length != fields) {
                throw error(i + 1, "expected " + fields + " fields (" + header + "), found: '" + text + "'");
            }
            rows.add(new Row(i + 1, parts));
        }
        return rows;
    }

    /**
     * Parses a positive integer field.
     *
     * @param row the row
     * @param index the field index
     * @param name the field name, for messages
     * @return the value
     * @throws DatasetException naming the file, line and value
     */
    int positiveInt(Row row, int index, String name) {
        String value = row.fields()[index];
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(row.line(), name + " is not a positive integer: '" + value + "'");
    }

    /**
     * An error about a line of this file.
     *
     * @param line the 1-based line number
     * @param problem what is wrong
     * @return the exception, to throw
     */
    DatasetException error(int line, String problem) {
        return new DatasetException(location + ":" + line + ": " + problem);
    }
}
