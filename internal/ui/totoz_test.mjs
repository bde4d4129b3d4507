// Tests of totoz.js's pure part: node --test internal/ui/
import test from "node:test";
import assert from "node:assert/strict";
import { searchable, totozQuery } from "./static/totoz.js";

test("totozQuery reads the totoz name being typed before the caret", () => {
  assert.equal(totozQuery("regarde [:", 10), "");
  assert.equal(totozQuery("regarde [:pl", 12), "pl");
  assert.equal(totozQuery("regarde [:pl", 11), "p");
  assert.equal(totozQuery("[:plop] et", 10), null); // closed
  assert.equal(totozQuery("a [:deux mots", 13), null); // a space ends it
  assert.equal(totozQuery("rien", 4), null);
  assert.equal(totozQuery("[:" + "x".repeat(41), 43), null); // too long for a name
});

test("searchable lets only a totoz name's characters reach the server's search", () => {
  assert.equal(searchable("plop"), true);
  assert.equal(searchable("a b_c@d-e:2"), true);
  assert.equal(searchable(""), false);
  assert.equal(searchable("x".repeat(41)), false);
  assert.equal(searchable("é"), false);
  assert.equal(searchable("a&b=c"), false);
  assert.equal(searchable("../x"), false);
});
