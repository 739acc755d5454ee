// Plain Kotlin (JVM): the generated bindings plus the app's view models and navigation. No
// Android SDK needed, which is why scripts/test-kotlin can compile and test it on any JVM.
plugins {
    id("org.jetbrains.kotlin.jvm")
}

kotlin {
    jvmToolchain(17)
}

val generateBindings by tasks.registering(Exec::class) {
    description = "Regenerates the UniFFI Kotlin bindings from the Rust library"
    workingDir = rootDir.parentFile
    commandLine("scripts/gen-bindings")
}

sourceSets {
    main {
        kotlin.srcDir(rootDir.parentFile.resolve("target/bindings/kotlin"))
    }
}

tasks.named("compileKotlin") { dependsOn(generateBindings) }

dependencies {
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.8.1")
    // The app module supplies the Android (AAR) build of JNA at run time.
    compileOnly("net.java.dev.jna:jna:5.13.0")
}
