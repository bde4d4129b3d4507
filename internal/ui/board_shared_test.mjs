// indexMarks with a second shared with a message the viewer hides.
import test from "node:test";
import assert from "node:assert/strict";
import { indexMarks } from "./static/board.js";

test("indexMarks marks a clock whose second is shared with a hidden message", () => {
  const list = [
    { created: "20240101120000", index: 1, shared: true }, // its ² is hidden
    { created: "20240101120001", index: 1 },
  ];
  assert.deepEqual(indexMarks(list), ["¹", ""]);
});
