import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createFilters, render } from "../../src/template/mod.ts";
import { throwsTemplate } from "./_helpers.ts";

const scope = {
  params: {
    name: "hello world",
    neg: -4.5,
    text: "42",
    word: "bar",
    date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    map: { a: 1, b: 2 },
    list: ["x", "y", "z"],
    pairs: [["k", 1], ["j", 2]],
    nothing: null,
  },
};
const value = (expression: string) => render(`\${{ ${expression} }}`, scope);

describe("built-in filters", () => {
  it("abs returns the absolute number", () => {
    assert.equal(value("params.neg | abs"), 4.5);
    throwsTemplate(() => value("params.name | abs"), "filter 'abs' expects a number, got string");
  });

  it("str stringifies the JS/JSON way", () => {
    assert.equal(value("params.neg | str"), "-4.5");
    assert.equal(value("params.map | str"), '{"a":1,"b":2}');
  });

  it("int converts numbers and integer strings and rejects other text", () => {
    assert.equal(value("params.text | int"), 42);
    assert.equal(value("params.neg | int"), -4);
    throwsTemplate(
      () => value("'foo' | int"),
      "filter 'int' expects a number or an integer string, got string \"foo\"",
    );
  });

  it("title, upper and lower change case", () => {
    assert.equal(value("params.name | title"), "Hello World");
    assert.equal(value("'they are 2day' | title"), "They Are 2Day");
    assert.equal(value("params.name | upper"), "HELLO WORLD");
    assert.equal(value("'ABC' | lower"), "abc");
    throwsTemplate(
      () => value("params.neg | upper"),
      "filter 'upper' expects a string, got number -4.5",
    );
  });

  it("rstr quotes like Python repr and takes no arguments", () => {
    assert.equal(value("params.word | rstr"), "'bar'");
    assert.equal(value(`"it's" | rstr`), `"it's"`);
    throwsTemplate(() => value("params.word | rstr(1)"), "filter 'rstr' takes no arguments");
  });

  it("fmt formats dates and ISO strings with strftime", () => {
    assert.equal(value("params.date | fmt('%Y%m%d')"), "20240102");
    assert.equal(value("params.date | fmt"), "2024-01-02 03:04:05");
    assert.equal(value("params.date | fmt(fmt='%H:%M:%S.%f')"), "03:04:05.678000");
    assert.equal(value("'2024-03-05' | fmt('%d/%m/%Y')"), "05/03/2024");
    throwsTemplate(
      () => value("params.neg | fmt('%Y')"),
      "filter 'fmt' expects a date or an ISO date string, got number",
    );
  });

  it("coalesce replaces null with its default", () => {
    assert.equal(value("params.nothing | coalesce('d')"), "d");
    assert.equal(value("params.word | coalesce('d')"), "bar");
    assert.equal(value("params.missing? | coalesce(0)"), 0);
  });

  it("getitem reads a key of an object with a default", () => {
    assert.equal(value("params.map | getitem('a')"), 1);
    assert.equal(value("params.map | getitem('zz', 9)"), 9);
    assert.equal(value("params.map | getitem('zz', default=8)"), 8);
    assert.equal(value("params.map | getitem('zz')"), null);
    throwsTemplate(
      () => value("params.list | getitem('a')"),
      "filter 'getitem' expects an object, got array",
    );
  });

  it("getindex reads an array item and fails out of range", () => {
    assert.equal(value("params.list | getindex(1)"), "y");
    assert.equal(value("params.list | getindex(-1)"), "z");
    throwsTemplate(
      () => value("params.list | getindex(3)"),
      "index 3 is out of range for an array of 3 items",
    );
    throwsTemplate(
      () => value("params.map | getindex(0)"),
      "filter 'getindex' expects an array, got object",
    );
  });

  it("keys, values, list and dict convert containers", () => {
    assert.deepEqual(value("params.map | keys"), ["a", "b"]);
    assert.deepEqual(value("params.map | values"), [1, 2]);
    assert.deepEqual(value("params.map | list"), ["a", "b"]);
    assert.deepEqual(value("'ab' | list"), ["a", "b"]);
    assert.deepEqual(value("params.pairs | dict"), { k: 1, j: 2 });
    assert.deepEqual(value("params.map | dict"), { a: 1, b: 2 });
    throwsTemplate(() => value("params.neg | keys"), "filter 'keys' expects an object, got number");
    throwsTemplate(
      () => value("params.name | dict"),
      "filter 'dict' expects an object or an array",
    );
  });

  it("chains filters left to right", () => {
    assert.equal(value("params.name | title | rstr"), "'Hello World'");
    assert.equal(value("params.missing? | coalesce('a b') | upper"), "A B");
  });

  it("rejects unknown argument names and non-literal arguments", () => {
    throwsTemplate(
      () => value("params.date | fmt(pattern='%Y')"),
      "filter 'fmt' has no argument 'pattern'",
    );
    throwsTemplate(() => value("params.date | fmt(params.x)"), "filter arguments must be literals");
  });

  it("names an unknown filter and lists the known ones", () => {
    throwsTemplate(
      () => value("params.word | nope"),
      "unknown filter 'nope'; filters are: abs, str",
    );
  });
});

describe("shell_quote filter", () => {
  it("single-quotes a string and writes each quote as '\\''", () => {
    assert.equal(value("params.word | shell_quote"), "'bar'");
    const quote = (text: string) =>
      render("${{ params.text | shell_quote }}", { params: { text } });
    assert.equal(quote("it's"), "'it'\\''s'");
    assert.equal(quote('x"; id -un > f; echo "'), `'x"; id -un > f; echo "'`);
    assert.equal(quote("$(id) `id` \\"), "'$(id) `id` \\'");
  });

  it("quotes numbers, booleans, null and dates as one word each", () => {
    assert.equal(value("params.neg | shell_quote"), "'-4.5'");
    assert.equal(value("true | shell_quote"), "'true'");
    assert.equal(value("params.nothing | shell_quote"), "''");
    assert.equal(value("params.date | shell_quote"), "'2024-01-02T03:04:05.678Z'");
  });

  it("turns an array into space-separated quoted words and an empty array into nothing", () => {
    const words = { params: { files: ["a b", "it's", 3] } };
    assert.equal(render("${{ params.files | shell_quote }}", words), "'a b' 'it'\\''s' '3'");
    assert.equal(render("${{ params.files | shell_quote }}", { params: { files: [] } }), "");
  });

  it("refuses arguments", () => {
    throwsTemplate(() => value("params.word | shell_quote(1)"), "takes no arguments");
  });
});

describe("createFilters()", () => {
  it("adds custom filters that receive args, kwargs and the time zone", () => {
    const filters = createFilters({
      wrap: (input, args, kwargs, ctx) => `${args[0]}${input}${kwargs.end ?? ""}@${ctx.timezone}`,
    });
    assert.equal(
      render("${{ params.word | wrap('<', end='>') }}", scope, { filters, timezone: "Asia/Tokyo" }),
      "<bar>@Asia/Tokyo",
    );
    assert.equal(render("${{ params.word | upper }}", scope, { filters }), "BAR");
  });

  it("refuses a custom filter that clashes with a built-in", () => {
    throwsTemplate(
      () => createFilters({ upper: (v) => v }),
      "custom filter 'upper' clashes with the built-in",
    );
  });

  it("wraps a custom filter failure naming the filter and the value type", () => {
    const filters = createFilters({
      boom: () => {
        throw new Error("kaput");
      },
    });
    throwsTemplate(
      () => render("${{ params.list | boom }}", scope, { filters }),
      `filter 'boom' failed on array ["x","y","z"]: kaput`,
    );
  });
});
