plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

fun gradleProperty(name: String): String? = (findProperty(name) as String?)?.trim()?.takeIf { it.isNotEmpty() }

fun quoted(value: String?): String = "\"" + (value ?: "").replace("\\", "\\\\").replace("\"", "\\\"") + "\""

/**
 * The root public keys the app trusts: the contents of each `root.pub` named (comma-separated
 * paths) in `safeguarding.rootKeyFiles`, joined with commas (each key is one base64 line).
 */
fun rootKeys(): String? = gradleProperty("safeguarding.rootKeyFiles")
    ?.split(',')
    ?.map { rootDir.parentFile.resolve(it.trim()).readText().trim() }
    ?.filter { it.isNotEmpty() }
    ?.joinToString(",")

android {
    namespace = "app.safeguarding.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "app.safeguarding.android"
        minSdk = 26 // Android 8.0: java.time, adaptive icons; covers NHS-issued devices
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"

        // Signed content updates, fixed at build time. With none of these set the app has no
        // update server: bundled guidance only, no background sync. See android/README.md.
        buildConfigField("String", "SYNC_SERVER", quoted(gradleProperty("safeguarding.syncServer")))
        buildConfigField("String", "SYNC_CHANNEL", quoted(gradleProperty("safeguarding.syncChannel") ?: "production"))
        buildConfigField("String", "SYNC_ROOT_KEYS", quoted(rootKeys()))
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }

    sourceSets["main"].apply {
        // Per-ABI libsafeguarding_ffi.so files, built by scripts/build-native.
        jniLibs.srcDir("src/main/jniLibs")
        // The bundled guidance and contacts, copied from the repository's content/ folder.
        assets.srcDir(rootDir.parentFile.resolve("build/assets"))
    }
}

val copyContent by tasks.registering(Copy::class) {
    from(rootDir.parentFile.resolve("content")) { exclude("**/README.md") }
    into(rootDir.parentFile.resolve("build/assets/content"))
}
tasks.named("preBuild") { dependsOn(copyContent) }

dependencies {
    implementation(project(":shared"))
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.1")
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    // Periodic background sync (network connected, battery not low).
    implementation("androidx.work:work-runtime-ktx:2.10.0")
}
