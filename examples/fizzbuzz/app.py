"""FizzBuzz over HTTP: GET /fizzbuzz/<n> returns the sequence 1..n, one item a line."""
from flask import Flask, jsonify

app = Flask(__name__)


def fizzbuzz(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        word = ("Fizz" if i % 3 == 0 else "") + ("Buzz" if i % 5 == 0 else "")
        out.append(word or str(i))
    return out


@app.get("/")
def index():
    return "FizzBuzz service: try /fizzbuzz/15\n"


@app.get("/fizzbuzz/<int:n>")
def fizz(n: int):
    if n > 10000:
        return jsonify(error="n must be at most 10000"), 400
    return "\n".join(fizzbuzz(n)) + "\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)
