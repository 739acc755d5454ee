// A minimal test runner: no JUnit or Gradle needed, so the suite runs with kotlinc and java only.

class Failure(message: String) : Exception(message)

private val tests = mutableListOf<Pair<String, () -> Unit>>()

fun test(name: String, body: () -> Unit) {
    tests += name to body
}

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw Failure(message())
}

fun <T> assertEquals(expected: T, actual: T, what: String = "") {
    if (expected != actual) throw Failure("$what: expected <$expected>, got <$actual>")
}

inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw Failure("expected ${E::class.simpleName}, got ${e::class.qualifiedName}: ${e.message}")
    }
    throw Failure("expected ${E::class.simpleName}, nothing was thrown")
}

fun runAll(): Int {
    var passed = 0
    var failed = 0
    for ((name, body) in tests) {
        try {
            body()
            passed++
            println("ok   $name")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name: ${e::class.simpleName}: ${e.message}")
        }
    }
    println("$passed passed, $failed failed")
    return failed
}
